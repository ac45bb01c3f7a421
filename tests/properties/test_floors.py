"""Floors hold and stricter settings never loosen, whatever the profile (Hypothesis).

The general scorer is the toy keyword scorer (exact, known probabilities); everything else is
real: the knowledge base, its embeddings, the personal risk model, the threshold precedence.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toy_scorer import make_toy_guard

from personaguard import UserProfile
from personaguard.decide.outcome import SEVERITY, Outcome
from personaguard.profile.learned import LearnedState
from personaguard.profile.vulnerabilities import load_knowledge_base
from personaguard.taxonomy import load_taxonomy

TAX = load_taxonomy()
KB_IDS = load_knowledge_base().ids
NON_FLOOR = [c.id for c in TAX.categories if not c.floor]
FLOOR = [c for c in TAX.categories if c.floor]
#: Texts the toy scorer gives a floor category (sexual/minors) above its global thresholds.
FLOOR_TEXTS = ["floorword in a story", "a floormild remark", "floorword, insultword and violentword together"]

_SETTINGS = {"max_examples": 40, "deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@pytest.fixture(scope="module")
def toy_guard():  # type: ignore[no-untyped-def]
    return make_toy_guard()


def _setting(cid: str) -> st.SearchStrategy[object]:
    lo, hi = TAX.get(cid).user_range
    num = st.floats(min_value=lo, max_value=hi, allow_nan=False)
    return st.one_of(
        st.sampled_from(["allow", "warn", "block"]),
        st.tuples(num, num).map(lambda t: {"warn": min(t), "block": max(t)}),
    )


def _floor_setting(cat) -> st.SearchStrategy[object]:  # type: ignore[no-untyped-def]
    lo = cat.user_range[0]
    w = st.floats(min_value=lo, max_value=cat.warn, allow_nan=False)
    b = st.floats(min_value=lo, max_value=cat.block, allow_nan=False)
    return st.one_of(st.just("block"), st.tuples(w, b).map(lambda t: {"warn": min(t), "block": max(t)}))


words = st.text(alphabet=st.characters(categories=("Ll", "Zs")), min_size=0, max_size=30)
phrase = st.one_of(st.sampled_from(FLOOR_TEXTS + ["a friendly chat", "insultword among friends"]), words)


@st.composite
def profiles(draw):  # type: ignore[no-untyped-def]
    chosen = draw(st.lists(st.sampled_from(NON_FLOOR), unique=True, max_size=6))
    settings_ = {c: draw(_setting(c)) for c in chosen}
    for cat in FLOOR:
        if draw(st.booleans()):
            settings_[cat.id] = draw(_floor_setting(cat))
    vulns = draw(st.lists(st.sampled_from(KB_IDS), unique=True, max_size=4))
    offsets = draw(st.dictionaries(st.sampled_from(TAX.ids), st.floats(min_value=-5, max_value=5), max_size=4))
    customs = draw(st.lists(st.tuples(words, st.lists(phrase, min_size=1, max_size=2)), max_size=2))
    return UserProfile.model_validate(
        {
            "id": "prop",
            "settings": settings_,
            "age_band": draw(st.sampled_from([None, "child", "teen", "adult", "senior"])),
            "vulnerabilities": [{"id": v, "confidence": draw(st.floats(0, 1))} for v in vulns],
            "custom_categories": [
                {"name": f"c{k}", "description": d or "x", "examples": ex, "action": draw(st.sampled_from(["warn", "block"]))}
                for k, (d, ex) in enumerate(customs)
            ],
            "allow_examples": draw(st.lists(phrase, max_size=3)),
            "learned": LearnedState(offsets=offsets),
        },
        context={"taxonomy": TAX},
    )


@settings(**_SETTINGS)
@given(profile=profiles(), text=st.sampled_from(FLOOR_TEXTS))
def test_no_profile_turns_a_floor_text_above_its_global_threshold_into_allow(toy_guard, profile, text) -> None:  # type: ignore[no-untyped-def]
    d = toy_guard.check(text, user=profile)
    generic = toy_guard.check(text)
    assert generic.outcome is not Outcome.ALLOW  # the premise: above the global threshold
    assert d.outcome is not Outcome.ALLOW, (profile, d.explanation)
    assert SEVERITY[d.outcome] >= SEVERITY[generic.outcome], (profile, d.explanation)


STRICTNESS = ["allow", "warn", "block"]


@st.composite
def stricter_pair(draw):  # type: ignore[no-untyped-def]
    base = draw(profiles())
    cid = draw(st.sampled_from(NON_FLOOR))
    lo, hi = TAX.get(cid).user_range
    if draw(st.booleans()):
        a, b = sorted(draw(st.lists(st.sampled_from(STRICTNESS), min_size=2, max_size=2)), key=STRICTNESS.index)
        loose, strict = a, b
    else:
        w = sorted(draw(st.lists(st.floats(lo, hi), min_size=2, max_size=2)))
        bl = sorted(draw(st.lists(st.floats(lo, hi), min_size=2, max_size=2)))
        strict = {"warn": min(w[0], bl[0]), "block": bl[0]}
        loose = {"warn": min(w[1], bl[1]), "block": bl[1]}
    data = base.model_dump(mode="json")

    def with_setting(value: object) -> UserProfile:
        return UserProfile.model_validate({**data, "settings": {**data["settings"], cid: value}}, context={"taxonomy": TAX})

    return with_setting(loose), with_setting(strict)


@settings(**_SETTINGS)
@given(pair=stricter_pair(), text=st.sampled_from(FLOOR_TEXTS + ["insultword you fool", "violentword scene", "hateword",
                                                                   "a calm sentence", "I want to buy a bottle of gin."]))
def test_a_stricter_setting_never_gives_a_more_permissive_outcome(toy_guard, pair, text) -> None:  # type: ignore[no-untyped-def]
    looser, stricter = pair
    a = toy_guard.check(text, user=looser)
    b = toy_guard.check(text, user=stricter)
    assert SEVERITY[b.outcome] >= SEVERITY[a.outcome], (looser.settings, stricter.settings, a.explanation, b.explanation)
