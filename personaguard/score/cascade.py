"""The default scorer: a static-embedding student settles clearly benign windows, MiniLM the rest.

Every window of every text is scored by the student. Windows whose student ``p_any`` reaches
``escalate_above`` (chosen at training time for <= 1% recall loss on the calibration split) are
re-scored by MiniLM, as are windows holding a word piece that marks a sensitive category
(self-harm, the floors), blended in logit space with a trained share of the student's vote
(``blend_weight``); a text's score is the max over its windows. To bound the cost of huge
texts, at most ``max_escalated_windows`` windows per text go to MiniLM: windows holding a marker
word first, then the riskiest by the student; the others keep their student scores, and nothing
is left unscored. A long window (more than ``long_window_tokens`` word pieces) of a text that is
also read sentence by sentence goes to MiniLM only for a marker word: MiniLM reads that text's
sentence windows, and its long windows were half of MiniLM's time on real traffic for no measured
gain on the yardstick (docs/runtime.md, "Long windows").
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.score.artifacts import load_artifact, packaged_artifacts_dir
from personaguard.score.base import CategoryScores, Scorer
from personaguard.score.calibrate import logit, sigmoid
from personaguard.score.encoder import EncodedWindows, MiniLMEncoder
from personaguard.score.heads_io import load_heads
from personaguard.score.model import ANY_COLUMN, EncoderScorer, aggregate_windows, apply_derived
from personaguard.score.static import StaticEmbedder

__all__ = ["CascadeScorer", "blend_escalated", "blend_probs", "load_default_scorer", "student_p_any"]


class CascadeScorer:
    """Student-first scorer with MiniLM for the uncertain rest.

    Parameters
    ----------
    category_ids : tuple of str
    artifacts_dir : path-like or None
        Folder with ``heads`` and ``static`` artifacts; None means the packaged ones.
    encoder : MiniLMEncoder or None
    escalate_above : float or None, default=None
        Student ``p_any`` from which a window goes to MiniLM; None uses the trained value,
        0.0 sends every window to MiniLM.
    max_escalated_windows : int, default=64
    long_window_tokens : int or None, default=128
        Windows longer than this, in a text with several windows, escalate only for a marker
        word; None escalates them like any other window.
    derived : dict of int to list of int, or None
        See :class:`personaguard.score.model.EncoderScorer`.
    """

    def __init__(
        self,
        *,
        category_ids: tuple[str, ...],
        artifacts_dir: str | os.PathLike[str] | None = None,
        encoder: MiniLMEncoder | None = None,
        escalate_above: float | None = None,
        max_escalated_windows: int = 64,
        long_window_tokens: int | None = 128,
        derived: dict[int, list[int]] | None = None,
    ) -> None:
        self.category_ids = tuple(category_ids)
        self.artifacts_dir = artifacts_dir
        self.max_escalated_windows = max_escalated_windows
        self.long_window_tokens = long_window_tokens
        folder = Path(artifacts_dir) if artifacts_dir is not None else packaged_artifacts_dir()
        self.derived = dict(derived or {})
        self.full = EncoderScorer(category_ids=self.category_ids, artifacts_dir=folder, encoder=encoder, derived=self.derived)
        self.encoder = self.full.encoder
        arrays, meta = load_artifact(folder, "static")
        self.student_ = StaticEmbedder(arrays["vectors"])
        self.student_heads_, self.student_calibrator_ = load_heads(arrays, (*self.category_ids, ANY_COLUMN), str(folder))
        self.escalate_above = float(meta["escalate_above"]) if escalate_above is None else escalate_above
        self.blend_weight = float(meta.get("blend_weight", 0.0))
        # Word pieces that send their window to MiniLM whatever the student says (fit_static).
        self.markers_ = np.zeros(self.student_.vectors.shape[0], dtype=bool)
        self.markers_[arrays.get("markers", np.zeros(0, dtype=np.int64))] = True
        long_rule = "" if long_window_tokens is None else f"/L{long_window_tokens}"
        self.version = (f"{self.full.version}+cascade@{self.escalate_above:.3f}"
                        f"/b{self.blend_weight:.2f}{long_rule}.{str(meta.get('sha256', ''))[:8]}")

    def score(self, texts: list[str]) -> CategoryScores:
        """Score normalized texts; see :class:`personaguard.score.base.Scorer`."""
        windows, owner = self.encoder.window_ids(texts)
        probs = self._cascade_probs(windows, owner, lambda idx: self.encoder.encode_ids([windows[j] for j in idx]))
        return aggregate_windows(probs, owner, len(texts), self.category_ids)

    def score_with_embeddings(self, texts: list[str]) -> CategoryScores:
        """The same scores as :meth:`score`, with MiniLM embeddings of every window kept.

        Personal risk compares each window with the user's vulnerabilities in MiniLM space, so
        every window needs MiniLM anyway. The scores still follow the cascade's rule, so a
        profile never changes ``p``: with every window blended instead, "How many of my pills
        would be an overdose?" scored self-harm 0.74 without a profile and 0.37 with one, and a
        15-year-old got warn where an anonymous user got block.
        """
        windows, owner = self.encoder.window_ids(texts)
        enc = EncodedWindows(self.encoder.encode_ids(windows), owner)
        probs = self._cascade_probs(windows, owner, lambda chosen: enc.embeddings[chosen])
        scores = aggregate_windows(probs, enc.owner, len(texts), self.category_ids)
        return dataclasses.replace(scores, embeddings=enc)

    def _cascade_probs(
        self, windows: list[list[int]], owner: NDArray[np.int64],
        embed: Callable[[NDArray[np.int64]], NDArray[np.float32]],
    ) -> NDArray[np.float64]:
        """Per-window probabilities: the student's, with the escalated windows re-scored.

        ``embed(chosen)`` gives MiniLM's embeddings of the chosen windows (encoded now, or taken
        from a pass already made). Escalated windows get MiniLM, blended with the student where
        the student itself found them risky (:func:`blend_escalated`).
        """
        probs, chosen = self.escalation(windows, owner)
        if chosen.size:
            risky = student_p_any(probs[chosen]) >= self.escalate_above
            full = self.full.window_probs(embed(chosen))
            probs[chosen] = blend_escalated(full, probs[chosen], risky, self.blend_weight)
        return probs

    def escalation(
        self, windows: list[list[int]], owner: NDArray[np.int64]
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """The student's per-window probabilities, shape (n_windows, k + 1), and the indices of the
        windows MiniLM re-scores (what the benchmarks count as reaching the transformer)."""
        probs = self._student_probs(windows)
        marked = np.fromiter((bool(self.markers_[w].any()) if w else False for w in windows),
                             dtype=bool, count=len(windows))
        return probs, self._windows_to_escalate(probs, owner, marked, self._long_windows(windows, owner))

    def _student_probs(self, windows: list[list[int]]) -> NDArray[np.float64]:
        if not windows:
            return np.zeros((0, len(self.category_ids) + 1))
        logits = self.student_heads_.decision_function(self.student_.embed_windows(windows))
        return apply_derived(self.student_calibrator_.predict_proba(logits), self.derived)

    def _long_windows(self, windows: list[list[int]], owner: NDArray[np.int64]) -> NDArray[np.bool_] | None:
        """Shape (n_windows,): windows over ``long_window_tokens`` of texts with several windows."""
        if self.long_window_tokens is None or owner.size == 0 or owner.size == owner[-1] + 1:
            return None  # one window per text (owner is sorted): nothing is read twice
        several = np.bincount(owner)[owner] > 1
        lengths = np.fromiter((len(w) for w in windows), dtype=np.int64, count=len(windows))
        return several & (lengths > self.long_window_tokens)

    def _windows_to_escalate(
        self, probs: NDArray[np.float64], owner: NDArray[np.int64], marked: NDArray[np.bool_] | None = None,
        long: NDArray[np.bool_] | None = None,
    ) -> NDArray[np.int64]:
        """Indices of the windows MiniLM re-scores: risky by the student (a ``long`` window only when
        ``marked``) or ``marked``, at most ``max_escalated_windows`` per text."""
        if probs.shape[0] == 0:
            return np.zeros(0, dtype=np.int64)
        p_any = student_p_any(probs)
        risky = p_any >= self.escalate_above
        if long is not None:
            risky &= ~long
        candidates = np.flatnonzero(risky | marked if marked is not None else risky)
        if candidates.size <= self.max_escalated_windows:
            return candidates  # no text can be over the cap (the common case: short texts)
        # Within each text: marked windows first (a marker escalates because the student's score is
        # not trusted for that category, so it must not rank it out), then the riskiest by the student.
        first = marked[candidates] if marked is not None else np.zeros(candidates.size, dtype=bool)
        order = candidates[np.lexsort((-p_any[candidates], ~first, owner[candidates]))]
        rank = np.zeros(order.size, dtype=np.int64)
        same = np.r_[False, owner[order][1:] == owner[order][:-1]]
        for k in range(1, order.size):
            rank[k] = rank[k - 1] + 1 if same[k] else 0
        return np.sort(order[rank < self.max_escalated_windows])


def student_p_any(probs: NDArray[np.float64]) -> NDArray[np.float64]:
    """The student's escalation score per window: its "any" column lifted to its top category.

    >>> student_p_any(np.array([[0.2, 0.7, 0.4]])).tolist()
    [0.7]
    """
    return np.maximum(probs[:, -1], probs[:, :-1].max(1))  # type: ignore[no-any-return]


def blend_escalated(
    full: NDArray[np.float64], student: NDArray[np.float64], risky: NDArray[np.bool_], weight: float
) -> NDArray[np.float64]:
    """Scores of escalated windows: MiniLM blended with the student's vote where the student itself
    found the window risky; a window escalated only for a marker word the student misread gets
    MiniLM alone (shapes: (n, k), (n, k), (n,)).
    """
    return blend_probs(full, student, np.where(risky, weight, 0.0)[:, None])


def blend_probs(
    full: NDArray[np.float64], student: NDArray[np.float64], weight: float | NDArray[np.float64]
) -> NDArray[np.float64]:
    """Logit-space blend ``(1 - weight) * logit(full) + weight * logit(student)``, same shape.

    ``weight`` is a number or an array that broadcasts against the rows, e.g. shape (n, 1).

    Why: the student (a bag of word pieces) and MiniLM (word order, context) err differently; on
    the calibration split a quarter of the student's vote raised the mean per-category AUPRC
    from 0.845 to 0.855 (docs/model-card.md). ``weight`` is chosen at training time.

    >>> blend_probs(np.array([[0.9]]), np.array([[0.1]]), 0.5).round(3).tolist()
    [[0.5]]
    """
    if (np.asarray(weight) == 0.0).all():
        return full
    return sigmoid((1 - weight) * logit(full) + weight * logit(student))


def load_default_scorer(
    category_ids: tuple[str, ...],
    *,
    derived: dict[int, list[int]] | None = None,
    artifacts_dir: str | os.PathLike[str] | None = None,
) -> Scorer:
    """The packaged scorer for these categories: the cascade when a student is trained."""
    folder = Path(artifacts_dir) if artifacts_dir is not None else packaged_artifacts_dir()
    if (folder / "static.npz").exists():
        return CascadeScorer(category_ids=category_ids, artifacts_dir=folder, derived=derived)
    return EncoderScorer(category_ids=category_ids, artifacts_dir=folder, derived=derived)
