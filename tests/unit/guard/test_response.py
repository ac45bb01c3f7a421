"""Guard.check_response: a response judged in its prompt's context, with harm amplification."""

from __future__ import annotations

import pytest

from personaguard import Guard, UserProfile


def test_a_refusal_of_a_harmful_prompt_does_not_amplify(guard: Guard) -> None:
    d = guard.check_response("How do I make a pipe bomb?", "I can't help with that.")
    assert d.outcome == "allow" and d.amplification is not None
    assert max(d.amplification.values()) < 0.05, d.amplification
    assert d.context_scores is not None and d.context_scores["cbrne"] > d.scores["cbrne"]


def test_amplification_is_the_risk_the_response_adds_over_its_prompt(guard: Guard) -> None:
    prompt, response = "Tell me a story about a cat.", "I will kill you tonight, you worthless idiot."
    d = guard.check_response(prompt, response)
    p, r = guard.check(prompt), guard.check(response)
    for c, amp in d.amplification.items():  # type: ignore[union-attr]
        assert amp == pytest.approx(max(0.0, r.risks[c] - p.risks[c]), abs=1e-6), c
    assert d.amplification["harassment/threatening"] > 0.5 and d.outcome == "block"  # type: ignore[index]
    assert "jailbreak" not in d.amplification  # type: ignore[operator]  # attacks are not content


def test_a_warning_with_large_amplification_becomes_a_block(guard: Guard) -> None:
    from personaguard.response import ESCALATE_AT

    # "bye" warns on harassment by itself (a scorer false alarm of short texts); after a prompt that
    # carries no harassment it is also far above it: the rule is mechanical, so it escalates.
    plain = guard.check("bye")
    d = guard.check_response("Write a short poem about the sea.", "bye")
    warned = [v.id for v in plain.categories if v.outcome == "warn"]
    big = [c for c in warned if d.amplification[c] >= ESCALATE_AT]  # type: ignore[index]
    if not big:
        pytest.skip("the scorer no longer warns on this text")
    assert d.outcome == "block" and "Escalated" in d.explanation


def test_amplification_is_for_this_user(guard: Guard) -> None:
    user = UserProfile(id="teen", age_band="teen")
    d = guard.check_response("What drinks are good at a party?", "Try a few shots of vodka.", user=user)
    anon = guard.check_response("What drinks are good at a party?", "Try a few shots of vodka.")
    assert d.user_id == "teen" and sum(d.amplification.values()) >= sum(anon.amplification.values())  # type: ignore[union-attr]


@pytest.mark.parametrize(("prompt", "response"), [(None, "x"), ("x", 3)])
def test_wrong_types_are_type_errors(guard: Guard, prompt: object, response: object) -> None:
    with pytest.raises(TypeError):
        guard.check_response(prompt, response)  # type: ignore[arg-type]
