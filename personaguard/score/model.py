"""The packaged scorer: MiniLM window embeddings -> multi-label heads -> Platt calibration."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.score.artifacts import load_artifact, packaged_artifacts_dir
from personaguard.score.base import CategoryScores
from personaguard.score.encoder import MiniLMEncoder
from personaguard.score.heads_io import load_heads
from personaguard.score.onnx_runtime import load_encoder

__all__ = ["EncoderScorer", "ANY_COLUMN", "apply_derived", "aggregate_windows"]

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
        Reuse an encoder (it holds 90 MB of weights); None loads the packaged one on the
        fastest runtime installed (:func:`personaguard.score.onnx_runtime.load_encoder`).
    derived : dict of int to list of int, or None
        Columns without a trained head, scored as the minimum of other columns
        (``Taxonomy.derived_indices()``).
    """

    def __init__(
        self,
        *,
        category_ids: tuple[str, ...],
        artifacts_dir: str | os.PathLike[str] | None = None,
        encoder: MiniLMEncoder | None = None,
        derived: dict[int, list[int]] | None = None,
    ) -> None:
        self.category_ids = tuple(category_ids)
        self.derived = dict(derived or {})
        self.artifacts_dir = artifacts_dir
        self.encoder = encoder if encoder is not None else load_encoder()
        folder = Path(artifacts_dir) if artifacts_dir is not None else packaged_artifacts_dir()
        arrays, meta = load_artifact(folder, "heads")
        self.heads_, self.calibrator_ = load_heads(arrays, (*self.category_ids, ANY_COLUMN), str(folder))
        self.version = str(meta.get("version", "unknown"))

    def window_probs(self, embeddings: NDArray[np.float32]) -> NDArray[np.float64]:
        """Calibrated probabilities per window, shape (n_windows, n_categories + 1)."""
        probs = self.calibrator_.predict_proba(self.heads_.decision_function(embeddings))
        return apply_derived(probs, self.derived)

    def score(self, texts: list[str]) -> CategoryScores:
        """Score normalized texts; see :class:`personaguard.score.base.Scorer`."""
        enc = self.encoder.encode(texts)
        probs = self.window_probs(enc.embeddings)
        scores = aggregate_windows(probs, enc.owner, len(texts), self.category_ids)
        return dataclasses.replace(scores, embeddings=enc)


def apply_derived(probs: NDArray[np.float64], derived: dict[int, list[int]]) -> NDArray[np.float64]:
    """Fill derived columns (in place) with the minimum of their source columns; returns ``probs``."""
    for col, refs in derived.items():
        probs[:, col] = probs[:, refs].min(axis=1)
    return probs


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
