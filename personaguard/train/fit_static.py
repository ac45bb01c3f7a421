"""Distilling and fitting the cascade's static student, and choosing its escalation threshold."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from personaguard.eval.metrics import binary_report
from personaguard.score.artifacts import save_artifact
from personaguard.score.calibrate import PlattCalibrator
from personaguard.score.cascade import blend_escalated, blend_probs, student_p_any
from personaguard.score.encoder import MiniLMEncoder
from personaguard.score.heads import MultiLabelHeads
from personaguard.score.model import apply_derived
from personaguard.score.static import StaticEmbedder, encode_single_tokens, fit_token_vectors
from personaguard.train.corpus import Corpus
from personaguard.train.fit import _source_weights, evaluate_splits

__all__ = ["StudentResult", "choose_blend_weight", "fit_student", "marker_tokens", "write_student"]

log = logging.getLogger(__name__)

#: Largest share of calibration-split harmful texts the student may settle as benign.
MAX_RECALL_LOSS = 0.01
#: Categories where a window the student settles wrongly costs most: the self-harm family and
#: the floors. Word pieces that mark them always send their window to MiniLM.
SENSITIVE_COLUMNS = ("self-harm", "self-harm/intent", "self-harm/instructions", "sexual/minors", "cbrne")
#: A word piece marks a sensitive category when at least this many training rows labelled for
#: it contain the piece and (Laplace-smoothed) at least this share of them are positive.
MARKER_MIN_ROWS, MARKER_MIN_RATE = 8, 0.8
#: Student shares tried for escalated windows (0: MiniLM alone).
BLEND_WEIGHTS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.4)


@dataclass(frozen=True)
class StudentResult:
    """The student's token vectors, heads, calibrator, escalation threshold and metrics."""

    vectors: NDArray[np.float16]
    heads: MultiLabelHeads
    calibrator: PlattCalibrator
    escalate_above: float
    blend_weight: float
    markers: NDArray[np.int32]
    metrics: dict[str, Any]


def fit_student(
    corpus: Corpus,
    encoder: MiniLMEncoder,
    full_probs: NDArray[np.float64],
    embeddings: NDArray[np.float32],
    *,
    derived: dict[int, list[int]] | None = None,
    warn: NDArray[np.float64] | None = None,
    dim: int = 64,
    seed: int = 0,
) -> StudentResult:
    """Distil token vectors, fit student heads, and pick the cascade threshold.

    ``full_probs`` (n, n_columns) are the MiniLM scorer's calibrated probabilities on the same
    corpus, used to report how often the cascade disagrees with it; ``embeddings`` (n, 384) are
    MiniLM's first-window embeddings, the targets the token vectors are fitted to (test rows
    left out).
    """
    log.info("encoding word pieces alone")
    single = encode_single_tokens(encoder)
    first = [encoder.windows(ids)[0] for ids in encoder.tokenize(corpus.texts)]
    fit_rows = np.flatnonzero(np.isin(corpus.split, ["train", "calib"]))  # never test or proxy rows
    log.info("fitting %d-d token vectors on %d texts", dim, len(fit_rows))
    vectors = fit_token_vectors(single, [first[i] for i in fit_rows], embeddings[fit_rows], dim=dim)
    student = StaticEmbedder(vectors)
    x = student.embed_windows(first)
    tr = np.flatnonzero(corpus.split == "train")
    ca = np.flatnonzero(corpus.split == "calib")
    heads = MultiLabelHeads(hidden=256, epochs=25, random_state=seed).fit(
        x[tr], corpus.y[tr], corpus.mask[tr], sample_weight=_source_weights(corpus, tr)
    )
    cal = PlattCalibrator().fit(heads.decision_function(x[ca]), corpus.y[ca], corpus.mask[ca])
    probs = apply_derived(cal.predict_proba(heads.decision_function(x)), derived or {})
    p_student = student_p_any(probs)
    any_j = corpus.columns.index("any")
    pos = ca[(corpus.mask[ca, any_j]) & (corpus.y[ca, any_j] > 0.5)]
    neg = ca[(corpus.mask[ca, any_j]) & (corpus.y[ca, any_j] < 0.5)]
    tau = float(np.quantile(p_student[pos], MAX_RECALL_LOSS))
    escalated = p_student >= tau
    markers = marker_tokens(corpus, first, vocab_size=vectors.shape[0])
    marked = np.array([bool(markers.intersection(w)) for w in first])
    weight, blend_auprc = choose_blend_weight(corpus, full_probs, probs)
    cascade = np.where((escalated | marked)[:, None], blend_escalated(full_probs, probs, escalated, weight), probs)
    escalated |= marked
    flagged_full = student_p_any(full_probs) >= 0.5
    flagged_cascade = student_p_any(cascade) >= 0.5
    metrics = {
        "escalate_above": tau,
        "blend_weight": weight,
        "n_marker_tokens": len(markers),
        "calib_mean_category_auprc_by_blend_weight": blend_auprc,
        "calib_escalation_rate_negatives": float(escalated[neg].mean()),
        "calib_escalation_rate_positives": float(escalated[pos].mean()),
        "calib_recall_loss_vs_positives": float((~escalated[pos]).mean()),
        "all_rows_flag_disagreement_vs_minilm": float((flagged_full != flagged_cascade).mean()),
        "student_alone": evaluate_splits(corpus, probs, warn)["test"],
        "cascade": evaluate_splits(corpus, cascade, warn)["test"],
    }
    log.info("student: escalate_above=%.3f, metrics=%s", tau, metrics)
    return StudentResult(vectors, heads, cal, tau, weight, np.array(sorted(markers), dtype=np.int32), metrics)


def marker_tokens(corpus: Corpus, first: list[list[int]], *, vocab_size: int) -> set[int]:
    """Word pieces that mark a sensitive category on the train split (see ``SENSITIVE_COLUMNS``).

    Why: the student averages a window's pieces, so one decisive word ("overdose") drowns in
    an ordinary question; "How many of my pills would be an overdose?" was settled at student
    p 0.03 while MiniLM scores it self-harm 0.81. A window holding a marker goes to MiniLM
    whatever the student says (0.8% of benign calibration windows hold one).
    """
    train = np.flatnonzero(corpus.split == "train")
    out: set[int] = set()
    for col in SENSITIVE_COLUMNS:
        if col not in corpus.columns:
            continue
        j = corpus.columns.index(col)
        positives = np.zeros(vocab_size)
        rows = np.zeros(vocab_size)
        for i in train[corpus.mask[train, j]]:
            present = np.unique(np.asarray(first[i], dtype=np.int64))
            rows[present] += 1
            positives[present] += corpus.y[i, j]
        rate = (positives + 1) / (rows + 2)
        out |= set(np.flatnonzero((rows >= MARKER_MIN_ROWS) & (rate >= MARKER_MIN_RATE)).tolist())
    return out


def choose_blend_weight(
    corpus: Corpus, full_probs: NDArray[np.float64], student_probs: NDArray[np.float64]
) -> tuple[float, dict[str, float]]:
    """The student's share in escalated windows that maximises mean per-category AUPRC on ``calib``.

    Returns the weight and the AUPRC of every weight tried (for the metrics file).
    """
    ca = corpus.split == "calib"
    scores: dict[str, float] = {}
    for w in BLEND_WEIGHTS:
        blended = blend_probs(full_probs[ca], student_probs[ca], w)
        aps = []
        for j in range(len(corpus.columns) - 1):
            m = corpus.mask[ca, j]
            y = corpus.y[ca, j][m]
            if m.sum() >= 20 and 0 < y.sum() < m.sum():
                aps.append(binary_report(y, blended[m, j], threshold=0.5)["auprc"])
        scores[f"{w:.2f}"] = float(np.mean(aps))
    best = max(scores, key=lambda k: scores[k])
    return float(best), scores


def write_student(result: StudentResult, columns: list[str], folder: Path, *, version: str) -> None:
    """Save the student (token vectors in float16, heads, calibration) with its threshold."""
    arrays: dict[str, NDArray[Any]] = {"vectors": result.vectors, "markers": result.markers, **result.heads.get_weights(),
              "cal_a": result.calibrator.a_.astype(np.float32),
              "cal_b": result.calibrator.b_.astype(np.float32), "columns": np.array(columns)}
    meta = {"version": version, "escalate_above": result.escalate_above, "max_recall_loss": MAX_RECALL_LOSS,
            "blend_weight": result.blend_weight,
            "distilled_from": "all-MiniLM-L6-v2 word pieces encoded alone, fitted to MiniLM window embeddings of the training texts, PCA to 64 dimensions"}
    save_artifact(folder, "static", arrays, meta)
