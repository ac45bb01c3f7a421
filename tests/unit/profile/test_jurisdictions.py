"""Jurisdictions: the table, place parsing, the claims it makes, and the fixture of unseen places."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from personaguard.errors import ConfigError
from personaguard.profile.jurisdictions import DEPENDS_ON_PLACE, SETTLED, legal_claims, load_jurisdictions

FIXTURE = Path(__file__).parents[2] / "fixtures" / "places.yaml"


def test_states_inherit_their_country() -> None:
    t = load_jurisdictions()
    texas, california = t.get("US-TX"), t.get("US-CA")
    assert (texas.alcohol, texas.cannabis, texas.name) == (21, "prohibited", "Texas, United States")
    assert (california.alcohol, california.cannabis) == (21, 21)


@pytest.mark.parametrize(
    ("text", "code"),
    [("I live in the Netherlands.", "NL"), ("I'm from South Korea", "KR"), ("we're based in NYC", "US-NY"),
     ("I moved to New York City in May", "US-NY"), ("I am 30 and live in Salt Lake City", "US-UT"),
     ("Living in Bengaluru these days", "IN")],
)
def test_places_are_found_after_a_place_phrase(text: str, code: str) -> None:
    found = load_jurisdictions().find(text)
    assert found is not None and found.jurisdiction.code == code


@pytest.mark.parametrize("text", ["My name is Austin.", "A gift from Mom.", "I love Japan's food.", ""])
def test_names_without_a_place_phrase_are_not_places(text: str) -> None:
    assert load_jurisdictions().find(text) is None


def test_claims_settle_with_place_and_age_and_ask_without_place() -> None:
    t = load_jurisdictions()
    settled = legal_claims(t, t.find("I live in Texas"), 19, "I'm 19")
    assert {c.id for c in settled} >= {"alcohol-illegal-here", "firearms-illegal-here"}
    assert all(c.confidence == SETTLED for c in settled)
    assert "legal age for alcohol is 21" in next(c for c in settled if c.id == "alcohol-illegal-here").evidence
    unsure = legal_claims(t, None, 19, "I'm 19")
    assert {c.id for c in unsure} == {"alcohol-illegal-here", "tobacco-illegal-here", "gambling-illegal-here"}
    assert all(c.confidence == DEPENDS_ON_PLACE for c in unsure)
    assert legal_claims(t, None, 30, "I'm 30") == []  # of age everywhere the table knows
    assert legal_claims(t, None, 16, "I'm 16") == []  # minors: the age entries decide, stricter
    assert legal_claims(t, None, None) == []


@pytest.mark.parametrize(
    ("patch", "needle"),
    [(('code: "GB"', 'code: "GB-X-Y"'), "code"), (('parent: "US", name: Texas', 'parent: "ZZ", name: Texas'), "parent"),
     (("alcohol: 18, tobacco: 18, gambling: 18, cannabis: prohibited, driving: 17", "alcohol: 99"), "outside")],
)
def test_a_broken_table_fails_at_load(tmp_path: Path, patch: tuple[str, str], needle: str) -> None:
    text = (Path(__file__).parents[3] / "personaguard/profile/jurisdictions.yaml").read_text(encoding="utf-8")
    assert patch[0] in text
    bad = tmp_path / "j.yaml"
    bad.write_text(text.replace(patch[0], patch[1], 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=needle):
        load_jurisdictions(str(bad))


CASES = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["who"][:30] for c in CASES])
def test_unseen_places_and_ages(guard: Any, case: dict[str, Any]) -> None:
    user = guard.parse_profile(case["who"])
    d = guard.check(case["ask"], user=user)
    assert (d.outcome.value == "allow") is case["allowed"], (d.outcome.value, d.explanation)
    if "law" in case:
        assert case["law"] in d.explanation and "jurisdictions.yaml" in d.explanation, d.explanation


def test_an_adult_of_unknown_place_is_asked_where_it_decides(guard: Any) -> None:
    d = guard.check("Where can I buy a six-pack of beer tonight?", user=guard.parse_profile("I am 20 years old."))
    assert d.outcome.value == "ask"
    assert d.question is not None and "where you live" in d.question.text
