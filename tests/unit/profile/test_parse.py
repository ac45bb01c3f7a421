"""Parsing self-descriptions into vulnerabilities (real encoder and knowledge base)."""

from __future__ import annotations

from typing import Any

import pytest

from personaguard import UserProfile


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have hepatitis.", "liver-disease"),
        ("my liver is shot", "liver-disease"),
        ("I'm 15", "minor"),
        ("I got out of prison last year after an assault charge", "violent-offense-record"),
        ("I've been sober for two years after years of heavy drinking.", "alcohol-use-disorder"),
        ("We just found out I'm expecting our first child!", "pregnancy"),
        ("I'm on parole and I wear an ankle monitor.", "parole-probation"),
        ("Honestly I keep thinking about ending it all.", "suicidal-ideation"),
        ("My doctor says my bones have become thin and fragile.", "osteoporosis"),
        ("I've had ADHD since I was a kid and take Ritalin.", "adhd"),
        ("I work as a diplomat at our embassy.", "public-office-neutrality"),
        # Offences stated in the present tense, not as a record (the cues are mostly records).
        ("I run with a street gang.", "organized-crime"),
        ("I sell weed to kids at school.", "drug-trafficking-record"),
        ("I have a habit of stealing things.", "burglary-theft-record"),
        ("I set fires for fun.", "arson-record"),
        ("There is an outstanding warrant for me.", "fugitive"),
        ("I have a violent temper.", "violent-offense-record"),
        ("I work as a GP.", "healthcare-controlled-access"),
        ("I have compulsive hand-washing.", "anxiety-disorder"),
    ],
)
def test_paraphrased_conditions_are_found_with_evidence(parser, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    p = UserProfile.from_text(text, parser=parser)
    found = {v.id: v for v in p.vulnerabilities}
    assert expected in found, (text, [(v.id, v.confidence) for v in p.vulnerabilities])
    claim = found[expected]
    assert 0.5 <= claim.confidence <= 1.0
    assert claim.span is not None and text[claim.span[0] : claim.span[1]] == claim.evidence
    assert p.self_description == text


@pytest.mark.parametrize(
    "text",
    ["", "   ", "I am an ordinary member of the general population.", "I like gardening and jazz.", "I am a teacher."],
)
def test_neutral_or_empty_descriptions_give_no_vulnerabilities(parser, text: str) -> None:  # type: ignore[no-untyped-def]
    assert UserProfile.from_text(text, parser=parser).vulnerabilities == []


@pytest.mark.parametrize(("text", "band"), [("I'm 15", "teen"), ("I am 9 years old", "child"),
                                             ("I'm 72 and retired", "senior"), ("I am 30", "adult"),
                                             ("I'm sixteen.", "teen"), ("I am seventy-five years old", "senior"),
                                             ("I turned twenty last week", "adult")])
def test_ages_set_the_age_band(parser, text: str, band: str) -> None:  # type: ignore[no-untyped-def]
    assert UserProfile.from_text(text, parser=parser).age_band.value == band  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["I am one of the few who know.", "I'm 15% sure it is fine.", "I am 3 of 5 siblings."])
def test_numbers_that_are_not_ages_set_no_age_band(parser, text: str) -> None:  # type: ignore[no-untyped-def]
    assert UserProfile.from_text(text, parser=parser).age_band is None


@pytest.mark.parametrize(("text", "keep", "drop"), [("I'm sixteen.", "minor", "elderly"),
                                                    ("I am 14 years old.", "minor", "child")])
def test_a_stated_age_drops_the_age_groups_it_contradicts(parser, text: str, keep: str, drop: str) -> None:  # type: ignore[no-untyped-def]
    # Embeddings read "I'm sixteen" as an older adult too (0.85) and "14 years old" as a child.
    p = UserProfile.from_text(text, parser=parser)
    ids = {v.id for v in p.vulnerabilities}
    assert keep in ids and drop not in ids
    claim = next(v for v in p.vulnerabilities if v.id == keep)
    assert claim.span is not None and text[claim.span[0] : claim.span[1]] == claim.evidence


def test_an_adult_age_overrides_a_cue_for_minors(parser) -> None:  # type: ignore[no-untyped-def]
    ids = {v.id for v in UserProfile.from_text("I am 34 and a student in high school classes.", parser=parser).vulnerabilities}
    assert "minor" not in ids


def test_a_negated_condition_is_not_claimed(parser) -> None:  # type: ignore[no-untyped-def]
    ids = {v.id for v in UserProfile.from_text("I don't have diabetes.", parser=parser).vulnerabilities}
    assert "diabetes" not in ids


def test_several_clauses_give_several_vulnerabilities(parser) -> None:  # type: ignore[no-untyped-def]
    text = "I have epilepsy, and I am also pregnant."
    p = UserProfile.from_text(text, parser=parser)
    ids = {v.id for v in p.vulnerabilities}
    assert {"epilepsy", "pregnancy"} <= ids, ids
    spans = {v.id: v.span for v in p.vulnerabilities}
    assert spans["epilepsy"] != spans["pregnancy"]


@pytest.mark.parametrize(
    "text",
    ["I am currently serving as a police officer in Japan.", "I am a police officer in the United Kingdom."],
)
def test_a_trailing_place_does_not_hide_a_role(parser, text: str) -> None:  # type: ignore[no-untyped-def]
    found = {v.id: v for v in UserProfile.from_text(text, parser=parser).vulnerabilities}
    assert found["public-office-neutrality"].confidence >= 0.8, found
    assert found["public-office-neutrality"].evidence == text  # the whole clause, place included


@pytest.mark.parametrize("text", ["I am a student in Paris.", "I grew up in Texas.", "I am a teacher from Spain."])
def test_dropping_a_place_does_not_invent_vulnerabilities(parser, text: str) -> None:  # type: ignore[no-untyped-def]
    assert UserProfile.from_text(text, parser=parser).vulnerabilities == []


def test_from_text_shares_one_parser_per_process(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from personaguard.profile import parse
    from personaguard.profile.profile import UserProfile

    built: list[object] = []
    real = parse.VulnerabilityParser.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(self)
        real(self, *args, **kwargs)

    parse.default_parser.cache_clear()
    monkeypatch.setattr(parse.VulnerabilityParser, "__init__", counting)
    first = UserProfile.from_text("I have hepatitis.")
    second = UserProfile.from_text("I am pregnant.")
    assert len(built) == 1, "a parser was built per call"
    assert [v.id for v in first.vulnerabilities] == ["liver-disease"]
    assert [v.id for v in second.vulnerabilities] == ["pregnancy"]
    assert parse.default_parser() is built[0]


@pytest.mark.parametrize(
    ("text", "entry"),
    [("I have narcolepsy.", "sleep-disorder"), ("I have lupus.", "sun-sensitivity"), ("I suffer from migraines.", "migraine")],
)
def test_entries_added_for_people_the_fixture_showed(parser: Any, text: str, entry: str) -> None:
    claims = {c.id: c.confidence for c in parser.parse(text).vulnerabilities}
    assert claims.get(entry, 0.0) >= 0.9, claims


@pytest.mark.parametrize("text", ["I'm a bartender.", "I'm a car mechanic.", "I work as a nanny.", "I'm an accountant.",
                                  "I work on construction sites.", "I'm a social worker."])
def test_an_occupation_nearer_an_ordinary_description_than_any_cue_claims_nothing(parser, text: str) -> None:  # type: ignore[no-untyped-def]
    # Each claimed a condition or a role before the neutral margin (docs/personalization.md, "Occupations").
    assert list(UserProfile.from_text(text, parser=parser).vulnerabilities) == []


def test_the_written_self_descriptions_keep_their_precision_and_recall(parser) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from personaguard.eval.parsing import evaluate_parsing, load_description_cases

    cases = load_description_cases(Path(__file__).resolve().parents[2] / "fixtures" / "self_descriptions.yaml",
                                   known=parser.known_)
    r = evaluate_parsing(parser, cases)
    # Measured 2026-12-04: occupations 0.60 precision / 88% clean, conditions 1.00 / recall 0.95.
    assert r["occupations"].clean_share >= 0.85, r["occupations"].false_claims
    assert r["conditions"].precision >= 0.95 and r["conditions"].recall >= 0.9, r["conditions"].missed


def test_an_ambiguous_age_survives_the_neutral_margin_so_the_guard_can_ask(parser) -> None:  # type: ignore[no-untyped-def]
    # "I am a university student." is a neutral description nearer than any cue of a minor.
    found = {v.id: v.confidence for v in UserProfile.from_text("I am a student.", parser=parser).vulnerabilities}
    assert 0.5 <= found.get("minor", 0.0) < 0.9, found


def test_a_second_condition_after_and_with_the_subject_left_out_is_its_own_clause(parser) -> None:  # type: ignore[no-untyped-def]
    # Before: one clause, and the clause margin kept only diabetes.
    found = {v.id for v in UserProfile.from_text("I am pregnant and have diabetes.", parser=parser).vulnerabilities}
    assert {"pregnancy", "diabetes"} <= found, found
