"""The packaged scorer: MiniLM window embeddings -> multi-label heads -> Platt calibration."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.score.artifacts import verified_file, load_artifact, packaged_artifacts_dir
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
        folder = Path(artifacts_dir) if artifacts_dir is not None else packaged_artifacts_dir()
        # A fine-tuned scorer ships its changed layers next to its heads (train/finetune.py),
        # checksummed in the manifest like them.
        self.encoder = encoder if encoder is not None else load_encoder(
            weights_overlay=verified_file(folder, "encoder"))
        arrays, meta = load_artifact(folder, "heads")
        self.heads_, self.calibrator_ = load_heads(arrays, (*self.category_ids, ANY_COLUMN), str(folder))
        # The content hash joins the trained date: two trainings of one day must not share a
        # version, or caches keyed by it (simulation scores, audit rows) mix their scores.
        self.version = f"{meta.get('version', 'unknown')}.{str(meta.get('sha256', ''))[:8]}"

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

    def score_with_embeddings(self, texts: list[str]) -> CategoryScores:
        """``score`` already keeps every window's embedding."""
        return self.score(texts)


def apply_derived(probs: NDArray[np.float64], derived: dict[int, list[int]]) -> NDArray[np.float64]:
    """Fill derived columns (in place) with the minimum of their source columns; returns ``probs``.

    A chain of ``np.minimum`` over column views, not ``probs[:, refs].min(1)``: the same values
    without building a fancy-indexed copy, which costs more than the minimum on a few windows.
    """
    for col, refs in derived.items():
        low = probs[:, refs[0]]
        for ref in refs[1:]:
            low = np.minimum(low, probs[:, ref])
        probs[:, col] = low
    return probs


def aggregate_windows(
    window_probs: NDArray[np.float64], owner: NDArray[np.int64], n_texts: int, category_ids: tuple[str, ...]
) -> CategoryScores:
    """Max over each text's windows; ``p_any`` is the top category's probability.

    Why not the trained "any" column: it learns what harmful *sources* look like (tweets about
    drinks, questions in the style of red-team prompts) and ranked held-out texts worse than the
    top category did (AUPRC on HateCheck 0.938 vs 0.956, ETHOS 0.63 vs 0.68, the Jigsaw sample
    0.47 vs 0.62, harmful requests 0.957 vs 0.953; docs/model-card.md). It is a lower bound of
    the probability that some category is violated, and it is what the decision acts on. The
    "any" column still serves the cascade, whose escalation must not miss uncategorised harm.
    """
    if len(owner) == n_texts and (n_texts <= 1 or bool((owner == np.arange(n_texts)).all())):
        # One window per text, in order (most short texts): the max is the window itself.
        per_text = np.maximum(window_probs, 0.0, dtype=np.float64)
        n_windows = np.ones(n_texts, dtype=np.int64)
    else:
        per_text = np.zeros((n_texts, len(category_ids) + 1))
        np.maximum.at(per_text, owner, window_probs)
        n_windows = np.bincount(owner, minlength=n_texts).astype(np.int64)
    probs = per_text[:, :-1]
    p_any = probs.max(axis=1) if probs.shape[1] else np.zeros(n_texts)
    return CategoryScores(category_ids=category_ids, probs=probs, p_any=p_any, n_windows=n_windows)
