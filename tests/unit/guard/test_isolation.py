"""One item never fails another: Guard.check_batch isolates failures per item."""

from __future__ import annotations

import copy

import pytest

from personaguard import Decision, Guard, InputTooLargeError, PersonaguardError, ScoringError
from fault_injection import MARKER, FailsOnMarker

POISON = MARKER


@pytest.fixture
def fragile(guard: Guard) -> Guard:
    g = copy.copy(guard)
    g.scorer = FailsOnMarker(guard.scorer)
    return g


TEXTS = ["What is the capital of France?", "I will kill you tonight.", "How do I bake sourdough bread?"]


def test_a_failing_item_gets_its_own_error_and_the_others_their_normal_decisions(
    fragile: Guard, guard: Guard
) -> None:
    alone = [guard.check(t) for t in TEXTS]
    out = fragile.check_batch([TEXTS[0], POISON, TEXTS[1], TEXTS[2]], errors="return")
    assert isinstance(out[1], ScoringError) and out[1].index == 1 and out[1].code == "scoring_failed"
    assert isinstance(out[1].__cause__, RuntimeError)
    for got, want in zip([out[0], out[2], out[3]], alone):
        assert isinstance(got, Decision)
        assert got.outcome == want.outcome and got.scores == pytest.approx(want.scores), want.explanation
    # One batch of four failed, then each item was scored alone.
    assert fragile.scorer.calls[0] == 4 and fragile.scorer.calls[1:] == [1, 1, 1, 1]  # type: ignore[attr-defined]


def test_raise_mode_raises_the_items_error_and_keeps_every_result(fragile: Guard) -> None:
    with pytest.raises(ScoringError) as info:
        fragile.check_batch([TEXTS[0], POISON])
    assert info.value.index == 1
    results = info.value.batch_results
    assert results is not None and isinstance(results[0], Decision) and results[1] is info.value


def test_check_raises_the_typed_error_of_its_one_item(fragile: Guard) -> None:
    with pytest.raises(ScoringError, match="item 0 could not be scored"):
        fragile.check(POISON)


def test_a_text_too_large_fails_alone(guard: Guard) -> None:
    small = copy.copy(guard)
    small.max_text_chars = 40
    out = small.check_batch(["short and fine", "x" * 41, "also fine"], errors="return")
    assert isinstance(out[1], InputTooLargeError) and out[1].index == 1
    assert [type(r).__name__ for r in out] == ["Decision", "InputTooLargeError", "Decision"]


def test_a_context_too_large_fails_its_item_only(guard: Guard) -> None:
    small = copy.copy(guard)
    small.max_text_chars = 40
    out = small.check_batch(["a", "b"], contexts=[None, "y" * 41], errors="return")
    assert isinstance(out[0], Decision) and isinstance(out[1], InputTooLargeError)
    assert "context 1" in out[1].message


@pytest.mark.parametrize("text", ["abc \ud800 def", "\udfff", "I will kill you\ud800 tonight.", "x\U0010ffff"])
def test_lone_surrogates_and_noncharacters_are_decided_not_raised(guard: Guard, text: str) -> None:
    d = guard.check(text)
    assert "replace_invalid_code_points" in d.normalization, repr(text)
    # The replacement character is dropped by the tokenizer, so the words are read as written.
    clean = guard.check(text.replace("\ud800", "").replace("\udfff", "").replace("\U0010ffff", ""))
    assert d.scores == pytest.approx(clean.scores, abs=1e-6), repr(text)


def test_errors_argument_is_validated(guard: Guard) -> None:
    with pytest.raises(ValueError, match="'raise' or 'return'"):
        guard.check_batch(["a"], errors="ignore")  # type: ignore[call-overload]


def test_every_item_error_is_a_personaguard_error_with_a_code(fragile: Guard) -> None:
    out = fragile.check_batch([POISON, POISON + " again"], errors="return")
    assert all(isinstance(r, PersonaguardError) and r.code == "scoring_failed" for r in out)
    assert [r.index for r in out if isinstance(r, PersonaguardError)] == [0, 1]
