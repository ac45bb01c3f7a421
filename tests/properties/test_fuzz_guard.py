"""The library API under hostile input: a decision or a typed error, never anything else.

Fixed seed (derandomize) and a bounded number of examples, so it runs the same in CI every time.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personaguard import Decision, Guard, PersonaguardError
from personaguard.normalize import normalize_text

from nasty_text import nasty_text

N_EXAMPLES = int(os.environ.get("PERSONAGUARD_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=N_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@FUZZ
@given(texts=st.lists(nasty_text, max_size=6))
def test_check_batch_decides_every_hostile_text(guard: Guard, texts: list[str]) -> None:
    out = guard.check_batch(texts, errors="return")
    assert len(out) == len(texts)
    for t, d in zip(texts, out):
        assert isinstance(d, Decision), (repr(t[:60]), d)
        assert 0.0 <= d.p_any <= 1.0 and all(0.0 <= p <= 1.0 for p in d.scores.values())


@FUZZ
@given(text=nasty_text)
def test_normalization_is_idempotent_and_yields_encodable_text(text: str) -> None:
    once = normalize_text(text).text
    once.encode("utf-8")
    assert normalize_text(once).text == once


@FUZZ
@given(text=nasty_text, context=st.one_of(st.none(), nasty_text))
def test_a_hostile_context_never_breaks_the_response_check(guard: Guard, text: str, context: str | None) -> None:
    d = guard.check(text, context)
    assert isinstance(d, Decision) and (d.context_scores is None) == (context is None)


@FUZZ
@given(bad=st.one_of(st.integers(), st.floats(allow_nan=True), st.none(), st.binary(), st.booleans(),
                     st.lists(st.integers(), min_size=1), st.dictionaries(st.text(), st.text())))
def test_wrong_types_are_type_errors(guard: Guard, bad: object) -> None:
    calls = [lambda: guard.check(bad), lambda: guard.check_batch([bad])]  # type: ignore[arg-type]
    if bad is not None:  # None is a valid context (no prompt)
        calls.append(lambda: guard.check("x", bad))  # type: ignore[arg-type]
    for call in calls:
        try:
            call()
        except TypeError:
            continue
        raise AssertionError(f"no TypeError for {bad!r}")


@FUZZ
@given(text=nasty_text)
def test_profile_parsing_takes_hostile_self_descriptions(guard: Guard, text: str) -> None:
    try:
        profile = guard.parse_profile(text)
    except PersonaguardError:
        return  # typed refusal is fine
    assert all(0.0 <= v.confidence <= 1.0 for v in profile.vulnerabilities)
