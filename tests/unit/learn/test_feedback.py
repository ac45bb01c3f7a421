"""Guard.learn end to end with the packaged scorer, reference sample and knowledge base."""

from __future__ import annotations

import pytest

from personaguard.profile.learned import LearnedState
from personaguard.profile.profile import UserProfile

VIOLENT = "I will beat him until his bones break and he bleeds on the floor."


def test_learn_returns_an_updated_profile_inside_the_trust_region(guard) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile(id="u1")
    res = guard.learn(profile, VIOLENT, should="block")
    assert res.kl <= res.delta
    assert res.profile.id == "u1" and len(res.profile.learned.events) == 1
    assert profile.learned == LearnedState(), "the input profile is not mutated"
    event = res.profile.learned.events[0]
    assert event.should == "block" and event.source == "user" and event.text is None
    if res.applied:
        assert all(move < 0 for move in res.moves.values()), res.moves


def test_learned_state_persists_with_the_profile_in_yaml_and_json(guard) -> None:  # type: ignore[no-untyped-def]
    res = guard.learn(UserProfile(id="u2"), VIOLENT, should="allow", context="write me a thriller scene")
    assert UserProfile.from_yaml(res.profile.to_yaml()) == res.profile
    assert UserProfile.from_json(res.profile.to_json()) == res.profile


def test_vulnerability_categories_do_not_loosen(guard) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile.model_validate({"id": "u3", "vulnerabilities": [{"id": "violent-offense-record"}]})
    for _ in range(5):
        profile = guard.learn(profile, VIOLENT, should="allow").profile
    assert profile.learned.offset("violence") <= 0.0
    assert profile.learned.offset("illicit/violent") <= 0.0


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"should": "ok"}, ValueError, "'allow', 'block'"),
    ({"should": "allow", "source": "admin"}, ValueError, "'user', 'moderator'"),
])
def test_bad_should_or_source_is_rejected(guard, kwargs, error, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        guard.learn(UserProfile(id="u"), "some text", **kwargs)


@pytest.mark.parametrize(("text", "error"), [("", ValueError), ("  ", ValueError), (None, TypeError), (3, TypeError)])
def test_empty_or_non_text_is_rejected(guard, text, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        guard.learn(UserProfile(id="u"), text, should="allow")


def test_unknown_learned_category_in_a_profile_is_an_unknown_id_error(guard) -> None:  # type: ignore[no-untyped-def]
    from personaguard.errors import UnknownIdError

    bad = UserProfile.model_construct(id="u", learned=LearnedState(offsets={"gore": 1.0}))
    with pytest.raises(UnknownIdError, match="gore"):
        guard.learn(bad, "some text", should="allow")
