"""Thresholds in force per category, with where they came from, and the per-category outcome."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from personaguard.decide.outcome import Outcome, ThresholdSource
from personaguard.score.calibrate import logit, sigmoid
from personaguard.taxonomy.schema import Taxonomy

__all__ = ["Thresholds", "default_thresholds", "outcomes_for", "apply_offsets"]


@dataclass(frozen=True)
class Thresholds:
    """Warn/block thresholds for each taxonomy column.

    Attributes
    ----------
    warn, block : ndarray of shape (n_categories,)
    sources : tuple of ThresholdSource, length n_categories
    is_floor : ndarray of bool, shape (n_categories,)
    before_learning : Thresholds or None
        The thresholds before learned offsets moved them (None when none moved): lets a verdict
        say whether what the user taught decided it.
    """

    warn: NDArray[np.float64]
    block: NDArray[np.float64]
    sources: tuple[ThresholdSource, ...]
    is_floor: NDArray[np.bool_]
    before_learning: Thresholds | None = None


#: id(taxonomy) -> (taxonomy, its default thresholds). The taxonomy is kept in the value so its
#: id cannot be reused while cached; a process has a handful of taxonomies (bounded below).
_DEFAULTS: dict[int, tuple[Taxonomy, Thresholds]] = {}


def default_thresholds(taxonomy: Taxonomy) -> Thresholds:
    """The taxonomy's global thresholds (cached per taxonomy; the arrays are read-only).

    Built once per taxonomy: every decision starts from them, and building them again cost
    about a tenth of the decide step.

    Examples
    --------
    >>> from personaguard.taxonomy import load_taxonomy
    >>> t = default_thresholds(load_taxonomy())
    >>> bool(t.is_floor[load_taxonomy().index("sexual/minors")])
    True
    """
    hit = _DEFAULTS.get(id(taxonomy))
    if hit is not None and hit[0] is taxonomy:
        return hit[1]
    cats = taxonomy.categories
    arrays = [np.array([c.warn for c in cats], dtype=np.float64), np.array([c.block for c in cats], dtype=np.float64),
              np.array([c.floor for c in cats], dtype=bool)]
    for a in arrays:
        a.setflags(write=False)
    out = Thresholds(warn=arrays[0], block=arrays[1], sources=tuple(ThresholdSource.TAXONOMY for _ in cats),
                     is_floor=arrays[2])
    if len(_DEFAULTS) >= 64:
        _DEFAULTS.clear()
    _DEFAULTS[id(taxonomy)] = (taxonomy, out)
    return out


def outcomes_for(risk_row: NDArray[np.float64], thresholds: Thresholds) -> list[Outcome]:
    """Per-category outcome of one text: block at >= block, warn at >= warn, else allow."""
    # Python floats and local names: comparing numpy scalars one by one, or looking an enum
    # member up on its class each time, costs more than the lists do (one check per call).
    block_, warn_, allow_ = Outcome.BLOCK, Outcome.WARN, Outcome.ALLOW
    rows = zip(np.asarray(risk_row).tolist(), thresholds.warn.tolist(), thresholds.block.tolist())
    return [block_ if r >= b else warn_ if r >= w else allow_ for r, w, b in rows]


def apply_offsets(
    thresholds: Thresholds, offsets: NDArray[np.float64], *, locked: NDArray[np.bool_] | None = None
) -> Thresholds:
    """Thresholds in force after learned offsets (``DESIGN.md`` section 5).

    Both warn and block move by ``theta`` on the logit scale, so their order is kept. A floor
    category, or one in ``locked`` (raised by the user's vulnerabilities), never ends above the
    threshold it started from, whatever the offsets say: the floor guarantee does not depend on
    the learner having behaved. Columns that moved get the source ``learned``.

    Parameters
    ----------
    thresholds : Thresholds
        Thresholds before learning (taxonomy or user settings).
    offsets : ndarray of shape (n_categories,)
        theta per column, taxonomy order.
    locked : ndarray of bool, shape (n_categories,), or None

    Returns
    -------
    Thresholds

    Examples
    --------
    >>> from personaguard.taxonomy import load_taxonomy
    >>> tax = load_taxonomy()
    >>> theta = np.zeros(len(tax.ids)); theta[tax.index("violence")] = 1.0
    >>> t = apply_offsets(default_thresholds(tax), theta)
    >>> round(float(t.block[tax.index("violence")]), 3), t.sources[tax.index("violence")].value
    (0.891, 'learned')
    """
    no_loosen = thresholds.is_floor if locked is None else (thresholds.is_floor | locked)
    theta = np.where(no_loosen, np.minimum(offsets, 0.0), offsets)
    moved = theta != 0.0
    if not moved.any():
        return thresholds
    warn = np.where(moved, sigmoid(logit(thresholds.warn) + theta), thresholds.warn)
    block = np.where(moved, sigmoid(logit(thresholds.block) + theta), thresholds.block)
    sources = tuple(ThresholdSource.LEARNED if m else s for m, s in zip(moved, thresholds.sources))
    return Thresholds(warn=warn, block=block, sources=sources, is_floor=thresholds.is_floor, before_learning=thresholds)
