"""The scorer interface every scoring model implements (scikit-learn style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from personaguard.score.encoder import EncodedWindows

__all__ = ["CategoryScores", "Scorer"]


@dataclass(frozen=True)
class CategoryScores:
    """Calibrated probabilities for a batch of texts.

    Attributes
    ----------
    category_ids : tuple of str, length n_categories
        Column order of ``probs`` (the taxonomy order).
    probs : ndarray of shape (n_texts, n_categories)
        Calibrated probability that each text violates each category, in [0, 1].
    p_any : ndarray of shape (n_texts,)
        Calibrated probability that the text violates any category; ``>= probs.max(1)``.
    n_windows : ndarray of shape (n_texts,)
        Sliding windows each text was scored over.
    embeddings : EncodedWindows or None, default=None
        MiniLM embeddings of every window, when the scorer computed them all; the personalize
        stage reuses them instead of encoding the texts again.
    """

    category_ids: tuple[str, ...]
    probs: NDArray[np.float64]
    p_any: NDArray[np.float64]
    n_windows: NDArray[np.int64]
    embeddings: "EncodedWindows | None" = None

    def row(self, i: int) -> dict[str, float]:
        """Scores of text ``i`` as ``{category_id: probability}``."""
        return dict(zip(self.category_ids, self.probs[i].tolist()))


@runtime_checkable
class Scorer(Protocol):
    """Anything that maps texts to calibrated category probabilities.

    ``score(texts)`` must accept the empty string, return rows in input order, be
    deterministic, and give the same rows for a batch as for its texts one by one.
    """

    category_ids: tuple[str, ...]

    def score(self, texts: list[str]) -> CategoryScores:
        """Score a batch of already-normalized texts."""
        ...


@runtime_checkable
class EmbeddingScorer(Scorer, Protocol):
    """A scorer that can also hand back MiniLM embeddings of every window.

    Personalization compares a text with the user's vulnerabilities in MiniLM space; a scorer
    that offers ``score_with_embeddings`` saves the guard a second encoder pass over the text.
    """

    def score_with_embeddings(self, texts: list[str]) -> CategoryScores:
        """Like ``score``, with ``embeddings`` filled for every window."""
        ...
