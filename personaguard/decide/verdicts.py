"""Per-category verdicts of one text: taxonomy categories, then the user's custom categories.

Shared by the generic and the personalized path so both decide the same way: each category's
outcome compares its risk r (= p without a user) with the thresholds in force; the decision is
the most severe outcome over categories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from personaguard.decide.ask import AskPolicy, best_question
from personaguard.decide.outcome import (
    SEVERITY,
    CategoryVerdict,
    Outcome,
    Question,
    ThresholdSource,
    UserFactor,
    most_severe,
)
from personaguard.decide.thresholds import Thresholds, outcomes_for
from personaguard.profile.profile import Action
from personaguard.profile.risk import UserRisk

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
    question: Question | None = None


def category_verdicts(
    category_ids: tuple[str, ...],
    probs: NDArray[np.float64],
    thresholds: Thresholds,
    personal: UserRisk | None = None,
    category_guidance: Mapping[str, str] | None = None,
    ask: AskPolicy | None = None,
    own_choice: frozenset[str] = frozenset(),
    own_choice_outcome: Outcome = Outcome.WARN,
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
    category_guidance : mapping of category id to str, or None
        The taxonomy's guidance per category (``Category.guidance``).
    ask : AskPolicy or None
        When given, and the verdict hinges on a vulnerability we are unsure of, the outcome is
        ``ask`` with the question (``personaguard.decide.ask``); None never asks.
    own_choice : frozenset of str, default=frozenset()
        Vulnerability ids whose raised risk is the user's own choice (``DecisionPolicy``): a
        category blocked only because of them, whose general probability stays under its warn
        threshold and which is not a floor, gets ``own_choice_outcome`` instead of block.
    own_choice_outcome : Outcome, default=Outcome.WARN
    """
    risks = probs if personal is None else personal.risks
    outcomes = outcomes_for(risks, thresholds)
    softened: set[int] = set()
    if personal is not None and own_choice and own_choice_outcome is not Outcome.BLOCK:
        softened = _own_choices(category_ids, probs, thresholds, outcomes, personal, own_choice)
        for j in softened:
            outcomes[j] = own_choice_outcome
    # Python floats and lists throughout: indexing numpy arrays element by element costs more
    # than this whole function's arithmetic on a batch of one.
    r_list = risks.tolist()
    p_list = r_list if personal is None else probs.tolist()
    allow = Outcome.ALLOW
    reported = [j for j, (r, o) in enumerate(zip(r_list, outcomes)) if r >= REPORT_MIN_P or o is not allow]
    verdicts: list[CategoryVerdict] = []
    if reported:
        warn, block, floor = thresholds.warn.tolist(), thresholds.block.tolist(), thresholds.is_floor.tolist()
        before = _outcomes_before_learning(r_list, thresholds, outcomes, reported, softened)
        verdicts = [
            CategoryVerdict(id=category_ids[j], p=p_list[j], r=r_list[j], warn=warn[j], block=block[j],
                            source=thresholds.sources[j], outcome=outcomes[j], is_floor=floor[j],
                            is_own_choice=j in softened, without_learning=before.get(j))
            for j in reported
        ]
    risk_map = dict(zip(category_ids, r_list))
    factors: list[UserFactor] = []
    guidance: list[str] = []
    if personal is not None:
        for c in personal.custom:
            c_block = c.threshold if c.action is Action.BLOCK else 1.0
            c_outcome = Outcome.BLOCK if c.r >= c_block else Outcome.WARN if c.r >= c.threshold else allow
            outcomes.append(c_outcome)
            risk_map[c.category_id] = c.r
            if c.r >= REPORT_MIN_P or c_outcome is not allow:  # built only when reported
                verdicts.append(CategoryVerdict(id=c.category_id, p=c.r, r=c.r, warn=c.threshold, block=c_block,
                                                source=ThresholdSource.USER, outcome=c_outcome))
        factors = [UserFactor(kind=f.kind, id=f.id, category=f.category, q=min(max(f.q, 0.0), 1.0), detail=f.detail)
                   for f in personal.factors]
        flagged = {v.id for v in verdicts if v.outcome is not allow}
        if flagged and personal.guidance:
            for cid in category_ids:
                if cid in flagged:
                    guidance += [g for g in personal.guidance.get(cid, ()) if g not in guidance]
        # Factors that touched a flagged category come first in the explanation.
        factors.sort(key=lambda f: (f.category not in flagged, -f.q))
    verdicts.sort(key=lambda v: (-SEVERITY[v.outcome], -v.r))
    outcome = most_severe(outcomes)
    question = None
    if ask is not None and personal is not None and personal.uncertain:
        question = best_question(risks, thresholds, personal.uncertain, outcomes[len(category_ids):], ask)
        if question is not None:
            outcome = Outcome.ASK
    if not guidance and category_guidance and outcome is not allow:
        # The taxonomy's guidance, where the text itself (p, not a user factor) reaches a
        # category's warn threshold: a crisis line fits "how many pills would be an overdose",
        # not a tequila purchase that liver disease raised. A user's own guidance is more
        # specific and replaces it.
        guidance = sorted({g for v in verdicts if v.p >= v.warn and (g := category_guidance.get(v.id))})
    return Verdicts(outcome=outcome, categories=verdicts, factors=factors, guidance=guidance, risks=risk_map,
                    question=question)



def _outcomes_before_learning(r_list: list[float], thresholds: Thresholds, outcomes: list[Outcome],
                              reported: list[int], softened: set[int]) -> dict[int, Outcome]:
    """Reported columns whose outcome learned offsets changed -> the outcome they had before learning."""
    before = thresholds.before_learning
    if before is None:
        return {}
    learned, sources = ThresholdSource.LEARNED, thresholds.sources
    moved = [j for j in reported if sources[j] is learned and j not in softened]
    if not moved:
        return {}
    b_warn, b_block = before.warn.tolist(), before.block.tolist()
    block_, warn_, allow_ = Outcome.BLOCK, Outcome.WARN, Outcome.ALLOW
    out: dict[int, Outcome] = {}
    for j in moved:
        r = r_list[j]
        b = block_ if r >= b_block[j] else warn_ if r >= b_warn[j] else allow_
        if b is not outcomes[j]:
            out[j] = b
    return out



def _own_choices(
    category_ids: tuple[str, ...], probs: NDArray[np.float64], thresholds: Thresholds, outcomes: list[Outcome],
    personal: UserRisk, own_choice: frozenset[str],
) -> set[int]:
    """Indices of blocked categories that only the user's own-choice vulnerabilities raised."""
    out: set[int] = set()
    for j, o in enumerate(outcomes):
        if o is not Outcome.BLOCK or bool(thresholds.is_floor[j]) or float(probs[j]) >= float(thresholds.warn[j]):
            continue
        raisers = {f.id for f in personal.factors if f.category == category_ids[j] and f.kind == "vulnerability"}
        if raisers and raisers <= own_choice:
            out.add(j)
    return out
