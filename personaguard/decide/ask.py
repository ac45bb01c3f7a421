"""Asking instead of guessing: the single question whose answer is worth the most (DESIGN.md section 6).

A parsed vulnerability comes with a confidence w ("I am a student" is a minor with w = 0.68).
When the verdict with the vulnerability certain (d_yes) differs from the verdict without it
(d_no), deciding now risks a loss either way: a missed harm if the user has it, an over-block
if not. With the answer we would decide right, so the expected value of asking is what the
best decision without it would still lose,

    EVI = min over d in {allow, warn, block} of  w * L(d, d_yes) + (1 - w) * L(d, d_no)

and the guard asks about the claim with the largest EVI when it exceeds the cost of a question.
DESIGN.md writes ``E[L(d_now)]``; taking the best d instead never asks more, and does not ask
about a claim we are nearly sure of just because the thresholds put its text in the warn band.
Nothing is released while the question is open: ``ask`` ranks between warn and block.

The risks under either answer follow from the claim's own term of the noisy-OR
(``personaguard.profile.risk``): with ``k = 1 - w q`` its factor in the product,
``r_no = 1 - (1 - r) / k`` and ``r_yes = 1 - (1 - r_no) (1 - q)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from personaguard.decide.outcome import SEVERITY, Outcome, Question, most_severe
from personaguard.decide.thresholds import Thresholds, outcomes_for
from personaguard.profile.risk import UncertainClaim

__all__ = ["AskPolicy", "best_question", "decision_loss"]

#: The verdicts a question decides between (``ask`` itself is not one).
_VERDICTS = (Outcome.ALLOW, Outcome.WARN, Outcome.BLOCK)


def _default_under() -> dict[tuple[Outcome, Outcome], float]:
    a, w, b = Outcome.ALLOW, Outcome.WARN, Outcome.BLOCK
    return {(a, w): 0.3, (a, b): 1.0, (w, b): 0.7}


def _default_over() -> dict[tuple[Outcome, Outcome], float]:
    a, w, b = Outcome.ALLOW, Outcome.WARN, Outcome.BLOCK
    return {(w, a): 0.1, (b, a): 1.0, (b, w): 0.5}


@dataclass(frozen=True)
class AskPolicy:
    """Losses of a wrong verdict and the cost of asking.

    Attributes
    ----------
    miss_cost : float, default=1.0
        Scale of the loss of a verdict milder than the right one (a missed harm).
    over_cost : float, default=0.25
        Scale of the loss of a verdict harsher than the right one: a missed harm costs four
        over-blocks.
    question_cost : float, default=0.05
        Loss of interrupting the user with a question; ask only when EVI exceeds it.
    under, over : dict of (decided, right) to float
        Relative loss of each wrong pair of outcomes (allow, warn, block), before the scale.
    """

    miss_cost: float = 1.0
    over_cost: float = 0.25
    question_cost: float = 0.05
    under: dict[tuple[Outcome, Outcome], float] = field(default_factory=_default_under)
    over: dict[tuple[Outcome, Outcome], float] = field(default_factory=_default_over)


def decision_loss(decided: Outcome, right: Outcome, policy: AskPolicy) -> float:
    """Loss of deciding ``decided`` when ``right`` was the right verdict.

    Examples
    --------
    >>> p = AskPolicy()
    >>> decision_loss(Outcome.ALLOW, Outcome.BLOCK, p), decision_loss(Outcome.BLOCK, Outcome.ALLOW, p)
    (1.0, 0.25)
    >>> decision_loss(Outcome.WARN, Outcome.WARN, p)
    0.0
    """
    if decided is right:
        return 0.0
    if SEVERITY[decided] < SEVERITY[right]:
        return policy.miss_cost * policy.under[decided, right]
    return policy.over_cost * policy.over[decided, right]


def best_question(
    risks: NDArray[np.float64],
    thresholds: Thresholds,
    uncertain: tuple[UncertainClaim, ...],
    others: list[Outcome],
    policy: AskPolicy,
) -> Question | None:
    """The question worth asking before deciding, or None when deciding now is good enough.

    Parameters
    ----------
    risks : ndarray of shape (n_categories,)
        Personalized risks r_{u,c}(x) of one text, with every claim at its confidence.
    thresholds : Thresholds
        Thresholds in force for the user.
    uncertain : tuple of UncertainClaim
        Claims with confidence below 1 that raised a risk for this text.
    others : list of Outcome
        Outcomes that no claim changes (the user's custom categories).
    policy : AskPolicy

    Examples
    --------
    >>> from personaguard.taxonomy import load_taxonomy
    >>> from personaguard.decide.thresholds import default_thresholds
    >>> tax = load_taxonomy(); j = tax.index("illicit")
    >>> r = np.zeros(len(tax.ids)); r[j] = 0.55  # only the claim raised it: w q = 0.55
    >>> claim = UncertainClaim("minor", "Are you under 18?", weight=0.6, q=0.92, columns=(j,))
    >>> q = best_question(r, default_thresholds(tax), (claim,), [], AskPolicy())
    >>> q.attribute, q.text
    ('vulnerability:minor', 'Are you under 18?')
    >>> sure = UncertainClaim("minor", "Are you under 18?", weight=0.98, q=0.92, columns=(j,))
    >>> r[j] = 0.98 * 0.92  # blocked now, and almost surely right to be
    >>> best_question(r, default_thresholds(tax), (sure,), [], AskPolicy()) is None
    True
    """
    if not uncertain:
        return None
    best: tuple[float, UncertainClaim] | None = None
    for claim in uncertain:
        cols = list(claim.columns)
        keep = np.maximum(1.0 - claim.weight * claim.q, 1e-12)
        r_no, r_yes = risks.copy(), risks.copy()
        r_no[cols] = np.clip(1.0 - (1.0 - risks[cols]) / keep, 0.0, 1.0)
        r_yes[cols] = 1.0 - (1.0 - r_no[cols]) * (1.0 - claim.q)
        d_no = most_severe(outcomes_for(r_no, thresholds) + others)
        d_yes = most_severe(outcomes_for(r_yes, thresholds) + others)
        if d_no is d_yes:
            continue
        w = claim.weight
        evi = min(w * decision_loss(d, d_yes, policy) + (1.0 - w) * decision_loss(d, d_no, policy) for d in _VERDICTS)
        if evi > policy.question_cost and (best is None or evi > best[0]):
            best = (evi, claim)
    if best is None:
        return None
    evi, claim = best
    return Question(attribute=f"vulnerability:{claim.id}", text=claim.question, value_of_information=round(evi, 4))
