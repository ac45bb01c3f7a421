"""The packaged scorer: MiniLM window embeddings -> multi-label heads -> Platt calibration."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import ConfigError
from personaguard.score.artifacts import load_artifact, packaged_artifacts_dir
from personaguard.score.base import CategoryScores
from personaguard.score.calibrate import PlattCalibrator
from personaguard.score.encoder import MiniLMEncoder
from personaguard.score.heads import MultiLabelHeads

__all__ = ["EncoderScorer", "ANY_COLUMN"]

#: Name of the extra head column that predicts "violates any category".
ANY_COLUMN = "any"


class EncoderScorer:
    """Calibrated category probabilities from all-MiniLM-L6-v2 embeddings.

    A text's probability for a category is its maximum over the text's sliding windows.

    Parameters
    ----------
    category_ids : tuple of str
        The taxonomy order the caller expects; must match the trained heads.
    artifacts_dir : path-like or None
        Folder with ``manifest.json`` and ``heads.npz``; None means the packaged ones.
    encoder : MiniLMEncoder or None
        Reuse an encoder (it holds 90 MB of weights); None loads the packaged one.
    """

    def __init__(
        self,
        *,
        category_ids: tuple[str, ...],
        artifacts_dir: str | os.PathLike[str] | None = None,
        encoder: MiniLMEncoder | None = None,
    ) -> None:
        self.category_ids = tuple(category_ids)
        self.artifacts_dir = artifacts_dir
        self.encoder = encoder if encoder is not None else MiniLMEncoder()
        folder = Path(artifacts_dir) if artifacts_dir is not None else packaged_artifacts_dir()
        arrays, meta = load_artifact(folder, "heads")
        trained_ids = tuple(str(c) for c in arrays["columns"])
        expected = (*self.category_ids, ANY_COLUMN)
        if trained_ids != expected:
            missing = sorted(set(expected) - set(trained_ids))
            raise ConfigError(
                f"the trained heads cover {list(trained_ids)} but the taxonomy needs {list(expected)}"
                f" (missing: {missing}); retrain with `personaguard train --taxonomy FILE`",
                source=str(folder),
            )
        self.heads_ = MultiLabelHeads().set_weights({k: arrays[k] for k in ("W1", "b1", "W2", "b2") if k in arrays})
        cal = PlattCalibrator()
        cal.a_, cal.b_ = arrays["cal_a"].astype(np.float64), arrays["cal_b"].astype(np.float64)
        self.calibrator_ = cal
        self.version = str(meta.get("version", "unknown"))

    def window_probs(self, embeddings: NDArray[np.float32]) -> NDArray[np.float64]:
        """Calibrated probabilities per window, shape (n_windows, n_categories + 1)."""
        return self.calibrator_.predict_proba(self.heads_.decision_function(embeddings))

    def score(self, texts: list[str]) -> CategoryScores:
        """Score normalized texts; see :class:`personaguard.score.base.Scorer`."""
        enc = self.encoder.encode(texts)
        probs = self.window_probs(enc.embeddings)
        return aggregate_windows(probs, enc.owner, len(texts), self.category_ids)


def aggregate_windows(
    window_probs: NDArray[np.float64], owner: NDArray[np.int64], n_texts: int, category_ids: tuple[str, ...]
) -> CategoryScores:
    """Max over each text's windows; ``p_any`` is lifted to at least the top category."""
    k = len(category_ids) + 1
    per_text = np.zeros((n_texts, k))
    np.maximum.at(per_text, owner, window_probs)
    n_windows = np.bincount(owner, minlength=n_texts).astype(np.int64)
    probs = per_text[:, :-1]
    p_any = np.maximum(per_text[:, -1], probs.max(axis=1) if probs.shape[1] else 0.0)
    return CategoryScores(category_ids=category_ids, probs=probs, p_any=p_any, n_windows=n_windows)
