"""Per-category verdicts of one text: taxonomy categories, then the user's custom categories.

Shared by the generic and the personalized path so both decide the same way: each category's
outcome compares its risk r (= p without a user) with the thresholds in force; the decision is
the most severe outcome over categories.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from personaguard.decide.outcome import SEVERITY, CategoryVerdict, Outcome, ThresholdSource, UserFactor
from personaguard.decide.thresholds import Thresholds, outcomes_for
from personaguard.personalize.profile import Action
from personaguard.personalize.risk import UserRisk

__all__ = ["Verdicts", "category_verdicts"]

#: Categories below this risk are left out of a decision's ``categories`` list.
REPORT_MIN_P = 0.01


@dataclass(frozen=True)
class Verdicts:
    """What the decide stage concluded for one text."""

    outcome: Outcome
    categories: list[CategoryVerdict]
    factors: list[UserFactor]
    guidance: list[str]
    risks: dict[str, float]


def _custom_verdicts(personal: UserRisk) -> list[CategoryVerdict]:
    out = []
    for c in personal.custom:
        warn = c.threshold
        block = c.threshold if c.action is Action.BLOCK else 1.0
        outcome = Outcome.BLOCK if c.r >= block else Outcome.WARN if c.r >= warn else Outcome.ALLOW
        out.append(
            CategoryVerdict(id=c.category_id, p=c.r, r=c.r, warn=warn, block=block, source=ThresholdSource.USER,
                            outcome=outcome)
        )
    return out


def category_verdicts(
    category_ids: tuple[str, ...],
    probs: NDArray[np.float64],
    thresholds: Thresholds,
    personal: UserRisk | None = None,
) -> Verdicts:
    """Outcome, verdicts, user factors and guidance for one text.

    Parameters
    ----------
    category_ids : tuple of str, length n_categories
    probs : ndarray of shape (n_categories,)
        General calibrated probabilities.
    thresholds : Thresholds
        Thresholds in force (the user's, when ``personal`` is given).
    personal : UserRisk or None
        Personalized risks; None means r = p.
    """
    risks = probs if personal is None else personal.risks
    outcomes = outcomes_for(risks, thresholds)
    verdicts = [
        CategoryVerdict(
            id=cid, p=float(probs[j]), r=float(risks[j]), warn=float(thresholds.warn[j]),
            block=float(thresholds.block[j]), source=thresholds.sources[j], outcome=outcomes[j],
            is_floor=bool(thresholds.is_floor[j]),
        )
        for j, cid in enumerate(category_ids)
        if risks[j] >= REPORT_MIN_P or outcomes[j] is not Outcome.ALLOW
    ]
    risk_map = {c: float(r) for c, r in zip(category_ids, risks)}
    factors: list[UserFactor] = []
    guidance: list[str] = []
    if personal is not None:
        custom = _custom_verdicts(personal)
        verdicts += [v for v in custom if v.r >= REPORT_MIN_P or v.outcome is not Outcome.ALLOW]
        outcomes += [v.outcome for v in custom]
        risk_map.update({v.id: v.r for v in custom})
        factors = [UserFactor(kind=f.kind, id=f.id, category=f.category, q=min(max(f.q, 0.0), 1.0), detail=f.detail)
                   for f in personal.factors]
        flagged = {v.id for v in verdicts if v.outcome is not Outcome.ALLOW}
        for cid in category_ids:
            if cid in flagged:
                guidance += [g for g in personal.guidance.get(cid, ()) if g not in guidance]
        # Factors that touched a flagged category come first in the explanation.
        factors.sort(key=lambda f: (f.category not in flagged, -f.q))
    verdicts.sort(key=lambda v: (-SEVERITY[v.outcome], -v.r))
    outcome = max(outcomes, key=lambda o: SEVERITY[o], default=Outcome.ALLOW)
    return Verdicts(outcome=outcome, categories=verdicts, factors=factors, guidance=guidance, risks=risk_map)
