"""The elastic trust region: how far a category may loosen grows with the user's evidence for it.

A fixed bound treats a user who gave fifteen consistent corrections like a stranger sending one
noisy event. Here each category carries evidence ``e_c`` from the user's own events::

    e_c = clip(floor(support_c - contradiction_weight * oppose_c), 0, max_evidence)
    delta_c(e_c) = min(delta_max, delta_base * growth ** e_c)

``delta_base`` is the learner's ``delta_loosen`` (the region of a stranger). ``support_c``
counts "should allow" events on texts that category c was blocking, ``oppose_c`` counts
"should block" events that tightened c (a moderator's event weighs the learner's
``moderator_weight``: a confirmation), so contradicting events shrink the bound back. Whatever the evidence, the offset stays
below the category's hard cap (``TrustRegionLearner.loosen_cap_``); floors and categories the
user's vulnerabilities raise keep a bound of 0; the tightening side is not elastic.

Worst case over any N events (``docs/learning.md``): the evidence of a category is at most
``w N`` (``w`` = 1 for users, ``moderator_weight`` for moderators), so its bound is at most
``min(delta_max, delta_base * growth ** (w N))`` and its offset at most the hard cap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from personaguard.profile.learned import RegionEvidence

__all__ = ["ElasticRule", "evidence_arrays", "evidence_dict", "evidence_levels"]


@dataclass(frozen=True)
class ElasticRule:
    """Settings of the elastic bound (see the module docstring for the formula).

    Parameters
    ----------
    growth : float, default=2.0
        Factor by which one unit of net evidence widens the bound.
    delta_max : float, default=0.32
        Largest bound (nats), whatever the evidence.
    contradiction_weight : float, default=2.0
        Units of support one contradicting event cancels.
    damping : float, default=1.0
        A step against the direction most of a category's events took is divided by
        ``1 + damping * margin`` (``margin``: how many more events went the other way), so one
        wrong label does not undo several right ones. 0 turns damping off.

    Examples
    --------
    >>> rule = ElasticRule()
    >>> rule.max_evidence(0.01)
    5
    >>> [round(float(d), 2) for d in rule.delta(np.array([0, 1, 5, 9]), 0.01)]
    [0.01, 0.02, 0.32, 0.32]
    >>> rule.worst_case_delta(3, 0.01)
    0.08
    """

    growth: float = 2.0
    delta_max: float = 0.32
    contradiction_weight: float = 2.0
    damping: float = 1.0

    def __post_init__(self) -> None:
        if not (self.growth >= 1.0 and self.delta_max >= 0 and self.contradiction_weight >= 0 and self.damping >= 0):
            raise ValueError(f"{self!r} is out of range: growth >= 1, delta_max >= 0, contradiction_weight >= 0, "
                             "damping >= 0")

    def step_weights(self, support: NDArray[np.float64], oppose: NDArray[np.float64], *, should: str,
                     weight: float) -> NDArray[np.float64]:
        """Per-category step multiplier: ``weight``, damped where the event goes against the majority.

        Examples
        --------
        >>> ElasticRule().step_weights(np.array([3.0, 0.0]), np.array([0.0, 0.0]), should="block", weight=1.0).tolist()
        [0.25, 1.0]
        """
        margin = support - oppose if should == "block" else oppose - support
        out: NDArray[np.float64] = weight / (1.0 + self.damping * np.maximum(margin, 0.0))
        return out

    def max_evidence(self, delta_base: float) -> int:
        """Evidence beyond which the bound no longer grows (``delta_max`` is reached)."""
        if self.growth == 1.0 or delta_base <= 0 or self.delta_max <= delta_base:
            return 0
        return math.ceil(math.log(self.delta_max / delta_base) / math.log(self.growth) - 1e-9)

    def delta(self, level: NDArray[np.int64], delta_base: float) -> NDArray[np.float64]:
        """The loosening bound per category at evidence ``level`` (integers), same shape."""
        grown = delta_base * self.growth ** np.asarray(level, float)
        out: NDArray[np.float64] = np.where(np.asarray(level) > 0, np.minimum(self.delta_max, grown), delta_base)
        return out

    def levels(self, support: NDArray[np.float64], oppose: NDArray[np.float64],
               max_evidence: int) -> NDArray[np.int64]:
        """Net evidence level per category: ``clip(floor(support - w * oppose), 0, max_evidence)``."""
        raw = support - self.contradiction_weight * oppose
        return np.clip(np.floor(raw + 1e-9), 0, max_evidence).astype(np.int64)

    def worst_case_delta(self, n_events: int, delta_base: float, *, weight: float = 1.0) -> float:
        """The largest bound any ``n_events`` events of weight ``weight`` can give a category."""
        level = min(math.floor(weight * n_events + 1e-9), self.max_evidence(delta_base))
        return float(self.delta(np.array(level), delta_base))


def evidence_levels(rule: ElasticRule, regions: dict[str, RegionEvidence], ids: tuple[str, ...],
                    max_evidence: int) -> NDArray[np.int64]:
    """Net evidence per category in taxonomy order, clipped to ``[0, max_evidence]``.

    Examples
    --------
    >>> ids = ("hate", "sexual")
    >>> evidence_levels(ElasticRule(), {"hate": RegionEvidence(support=4, oppose=1)}, ids, 5).tolist()
    [2, 0]
    """
    support, oppose = evidence_arrays(regions, ids)
    return rule.levels(support, oppose, max_evidence)


def evidence_arrays(regions: dict[str, RegionEvidence],
                    ids: tuple[str, ...]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(support, oppose)`` per category in taxonomy order (zeros where a category has none)."""
    support = np.array([regions[c].support if c in regions else 0.0 for c in ids])
    oppose = np.array([regions[c].oppose if c in regions else 0.0 for c in ids])
    return support, oppose


def evidence_dict(support: NDArray[np.float64], oppose: NDArray[np.float64],
                  ids: tuple[str, ...]) -> dict[str, RegionEvidence]:
    """The persisted form of ``(support, oppose)``: categories with any evidence only.

    Examples
    --------
    >>> evidence_dict(np.array([1.0, 0.0]), np.array([0.0, 0.0]), ("hate", "sexual"))
    {'hate': RegionEvidence(support=1.0, oppose=0.0)}
    """
    return {c: RegionEvidence(support=float(s), oppose=float(o))
            for c, s, o in zip(ids, support, oppose) if s > 0 or o > 0}
