"""Value of information: when a verdict hinges on a vulnerability we are unsure of, ask."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard.decide.ask import AskPolicy, best_question, decision_loss
from personaguard.decide.outcome import Outcome
from personaguard.decide.thresholds import default_thresholds
from personaguard.profile.risk import UncertainClaim
from personaguard.taxonomy import load_taxonomy

TAX = load_taxonomy()
TH = default_thresholds(TAX)
ILLICIT = TAX.index("illicit")  # warn 0.5, block 0.7


def _risk_with(claims: list[UncertainClaim], p: float = 0.0) -> np.ndarray:
    """Risks as the noisy-OR builds them: p combined with each claim's w q on its columns."""
    r = np.zeros(len(TAX.ids))
    keep = np.ones(len(TAX.ids))
    for c in claims:
        keep[list(c.columns)] *= 1.0 - c.weight * c.q
    r[:] = 1.0 - (1.0 - p) * keep
    r[[j for j in range(len(TAX.ids)) if j != ILLICIT]] = 0.0
    return r


def _claim(vid: str, w: float, q: float = 0.95) -> UncertainClaim:
    return UncertainClaim(vid, f"Is {vid} true?", weight=w, q=q, columns=(ILLICIT,))


def test_losses_are_asymmetric_and_zero_when_right() -> None:
    p = AskPolicy()
    assert decision_loss(Outcome.ALLOW, Outcome.BLOCK, p) == 4 * decision_loss(Outcome.BLOCK, Outcome.ALLOW, p)
    assert decision_loss(Outcome.ALLOW, Outcome.WARN, p) < decision_loss(Outcome.ALLOW, Outcome.BLOCK, p)
    for o in (Outcome.ALLOW, Outcome.WARN, Outcome.BLOCK):
        assert decision_loss(o, o, p) == 0.0


def test_an_unsure_claim_that_decides_the_verdict_is_asked_about() -> None:
    claim = _claim("minor", 0.68)
    q = best_question(_risk_with([claim]), TH, (claim,), [], AskPolicy())
    assert q is not None and q.attribute == "vulnerability:minor" and q.text == "Is minor true?"
    # EVI by hand: yes -> block (r = 0.95), no -> allow (0). Deciding without the answer, the
    # best is block, which loses an over-block (0.25) when the user is no minor (0.32).
    expected = min(0.68 * 1.0, 0.68 * 0.7 + 0.32 * 0.25 * 0.1, 0.32 * 0.25)
    assert q.value_of_information == pytest.approx(expected, abs=1e-4)


def test_no_question_when_the_answer_would_not_change_the_verdict() -> None:
    weak = _claim("minor", 0.6, q=0.2)  # with or without it, illicit stays below warn
    assert best_question(_risk_with([weak]), TH, (weak,), [], AskPolicy()) is None
    strong_p = _claim("minor", 0.6)
    # The text alone is already blocked (p = 0.9): the claim cannot move the verdict.
    assert best_question(_risk_with([strong_p], p=0.9), TH, (strong_p,), [], AskPolicy()) is None
    # A custom category already blocks whatever the answer.
    assert best_question(_risk_with([strong_p]), TH, (strong_p,), [Outcome.BLOCK], AskPolicy()) is None


def test_a_claim_we_are_nearly_sure_of_is_not_worth_a_question() -> None:
    sure = _claim("minor", 0.97)
    assert best_question(_risk_with([sure]), TH, (sure,), [], AskPolicy()) is None
    assert best_question(_risk_with([sure]), TH, (sure,), [], AskPolicy(question_cost=0.0)) is not None


def test_the_claim_with_the_largest_value_is_asked() -> None:
    low, high = _claim("elderly", 0.55, q=0.6), _claim("minor", 0.75)
    q = best_question(_risk_with([low, high]), TH, (low, high), [], AskPolicy())
    assert q is not None and q.attribute == "vulnerability:minor"
