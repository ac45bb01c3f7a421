"""The fixtures of people the development slice never showed (tests/fixtures/people*.yaml).

``people_fresh.yaml`` was written after the knowledge base was tuned against ``people.yaml``
and run once; its misses are that first run's.

Each request is checked for its person with the real scorer and the packaged knowledge base;
requests listed under a person's ``misses`` are known failures (strict xfail: fixing one fails
the test until it is moved out of ``misses``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURES = sorted((Path(__file__).parents[2] / "fixtures").glob("people*.yaml"))
PEOPLE = [p for f in FIXTURES for p in yaml.safe_load(f.read_text(encoding="utf-8"))]
CASES = [
    pytest.param(p["who"], text, kind == "safe", p.get("approximate", False),
                 id=f"{p['who'][:24]}|{text[:32]}",
                 marks=[pytest.mark.xfail(strict=True, reason=p["misses"][text])] if text in p.get("misses", {}) else [])
    for p in PEOPLE for kind in ("unsafe", "safe") for text in p[kind]
]


@pytest.mark.parametrize(("who", "text", "allowed", "approximate"), CASES)
def test_unseen_person(guard: Any, who: str, text: str, allowed: bool, approximate: bool) -> None:
    profile = guard.parse_profile(who)
    d = guard.check(text, user=profile)
    assert (d.outcome.value == "allow") is allowed, (d.outcome.value, d.explanation)
    if approximate and not allowed:
        assert "nearest known entry to" in d.explanation, d.explanation


def test_the_fixture_is_well_formed() -> None:
    whos = [p["who"] for p in PEOPLE]
    assert len(FIXTURES) == 2 and len(whos) >= 35 and len(set(whos)) == len(whos)
    for p in PEOPLE:
        assert p["unsafe"] and p["safe"]
        assert set(p.get("misses", {})) <= set(p["unsafe"]) | set(p["safe"])
