"""The parser's precision yardstick: counting right, false and allowed claims."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from personaguard.eval.parsing import DescriptionCase, evaluate_parsing, load_description_cases

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "self_descriptions.yaml"


class _Fixed:
    """A parser that claims what it is told to, so the counting can be checked by hand."""

    def __init__(self, claims: dict[str, list[tuple[str, float]]]) -> None:
        self.claims = claims

    def parse(self, text: str) -> SimpleNamespace:
        found = [SimpleNamespace(id=vid, confidence=c) for vid, c in self.claims.get(text, [])]
        return SimpleNamespace(vulnerabilities=found)


def test_right_false_allowed_and_missed_claims_are_counted_per_group_and_overall() -> None:
    cases = [
        DescriptionCase("I am a nurse.", "occupations", frozenset({"healthcare"})),
        DescriptionCase("I am a midwife.", "occupations", frozenset(), frozenset({"healthcare"})),
        DescriptionCase("I'm pregnant.", "conditions", frozenset({"pregnancy"})),
    ]
    parser = _Fixed({"I am a nurse.": [("healthcare", 0.9), ("breastfeeding", 0.6)],
                     "I am a midwife.": [("healthcare", 0.7)]})
    r = evaluate_parsing(parser, cases)
    occ, cond, every = r["occupations"], r["conditions"], r["all"]
    assert (occ.right, occ.false, occ.expected, occ.cases) == (1, 1, 1, 2)
    assert occ.precision == 0.5 and occ.recall == 1.0 and occ.clean_share == 0.5
    assert occ.false_claims == [("I am a nurse.", "breastfeeding", 0.6)]
    assert cond.recall == 0.0 and cond.precision == 1.0 and cond.missed == [("I'm pregnant.", "pregnancy")]
    assert (every.right, every.false, every.expected, every.cases) == (1, 1, 2, 3)


def test_the_fixture_loads_and_names_only_known_entries(tmp_path: Path) -> None:
    from personaguard.profile.vulnerabilities import load_knowledge_base

    known = [v.id for v in load_knowledge_base().vulnerabilities]
    cases = load_description_cases(FIXTURE, known=known)
    assert {c.group for c in cases} == {"occupations", "conditions"} and len(cases) >= 90
    bad = tmp_path / "bad.yaml"
    bad.write_text("g:\n  - {text: 'I am a nurse.', expect: [no-such-entry]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no-such-entry"):
        load_description_cases(bad, known=known)
    bad.write_text("g:\n  - {expect: []}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a text"):
        load_description_cases(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(TypeError, match="mapping"):
        load_description_cases(bad)
