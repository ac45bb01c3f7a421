"""Thresholds in force per category, with where they came from, and the per-category outcome."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from personaguard.decide.outcome import Outcome, ThresholdSource
from personaguard.taxonomy.schema import Taxonomy

__all__ = ["Thresholds", "default_thresholds", "outcomes_for"]


@dataclass(frozen=True)
class Thresholds:
    """Warn/block thresholds for each taxonomy column.

    Attributes
    ----------
    warn, block : ndarray of shape (n_categories,)
    sources : tuple of ThresholdSource, length n_categories
    is_floor : ndarray of bool, shape (n_categories,)
    """

    warn: NDArray[np.float64]
    block: NDArray[np.float64]
    sources: tuple[ThresholdSource, ...]
    is_floor: NDArray[np.bool_]


def default_thresholds(taxonomy: Taxonomy) -> Thresholds:
    """The taxonomy's global thresholds.

    Examples
    --------
    >>> from personaguard.taxonomy import load_taxonomy
    >>> t = default_thresholds(load_taxonomy())
    >>> bool(t.is_floor[load_taxonomy().index("sexual/minors")])
    True
    """
    cats = taxonomy.categories
    return Thresholds(
        warn=np.array([c.warn for c in cats], dtype=np.float64),
        block=np.array([c.block for c in cats], dtype=np.float64),
        sources=tuple(ThresholdSource.TAXONOMY for _ in cats),
        is_floor=np.array([c.floor for c in cats], dtype=bool),
    )


def outcomes_for(risk_row: NDArray[np.float64], thresholds: Thresholds) -> list[Outcome]:
    """Per-category outcome of one text: block at >= block, warn at >= warn, else allow."""
    out: list[Outcome] = []
    for r, w, b in zip(risk_row, thresholds.warn, thresholds.block):
        out.append(Outcome.BLOCK if r >= b else Outcome.WARN if r >= w else Outcome.ALLOW)
    return out
