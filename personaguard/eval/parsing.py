"""Precision of the self-description parser: which entries a text claims, against what it should.

Why: a false claim is not harmless. "I am a nurse." read as breastfeeding blocks wine pairings for
a nurse; a kindergarten teacher read as a child loses adult answers. The yardstick is a file of
self-descriptions with the entries each should claim (``expect``) and the ones that are
defensible too (``allow``); ``python -m bench.parsing`` prints the figures per group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["DescriptionCase", "ParsingReport", "evaluate_parsing", "load_description_cases"]


class _Parser(Protocol):
    def parse(self, text: str) -> Any: ...


@dataclass(frozen=True)
class DescriptionCase:
    """One self-description, its group, the entries it should claim and those it may."""

    text: str
    group: str
    expect: frozenset[str]
    allow: frozenset[str] = frozenset()


@dataclass
class ParsingReport:
    """Claims counted over a set of cases (of one group, or all).

    ``precision`` = right claims / (claims that are not merely allowed); ``recall`` = expected
    entries claimed / expected entries; ``clean_share`` = share of cases with no false claim.
    """

    cases: int = 0
    right: int = 0
    false: int = 0
    expected: int = 0
    false_claims: list[tuple[str, str, float]] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.false) if self.right + self.false else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    @property
    def clean_share(self) -> float:
        dirty = {text for text, _, _ in self.false_claims}
        return 1.0 - len(dirty) / self.cases if self.cases else 1.0


def load_description_cases(path: str | Path, known: Iterable[str] | None = None) -> list[DescriptionCase]:
    """Cases from a YAML file of ``{group: [{text, expect, allow?}, ...]}``.

    Raises
    ------
    TypeError
        When the file is not a mapping of lists.
    ValueError
        When a case has no text or expect list, or names an entry ``known`` does not hold.
    """
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise TypeError(f"{path}: expected a mapping of group -> list of cases")
    ids = set(known) if known is not None else None
    cases: list[DescriptionCase] = []
    for group, items in raw.items():
        if not isinstance(items, list):
            raise TypeError(f"{path}: group {group!r} is not a list")
        for k, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "expect" not in item:
                raise ValueError(f"{path}: {group}[{k}] needs a text and an expect list")
            expect, allow = frozenset(item["expect"] or ()), frozenset(item.get("allow") or ())
            unknown = (expect | allow) - ids if ids is not None else set()
            if unknown:
                raise ValueError(f"{path}: {group}[{k}] names unknown entries {sorted(unknown)}")
            cases.append(DescriptionCase(item["text"], str(group), expect, allow))
    return cases


def evaluate_parsing(parser: _Parser, cases: Iterable[DescriptionCase]) -> dict[str, ParsingReport]:
    """One report per group and one under ``"all"``; ``parser.parse(text).vulnerabilities`` is read."""
    reports: dict[str, ParsingReport] = {"all": ParsingReport()}
    for case in cases:
        claimed = {c.id: c.confidence for c in parser.parse(case.text).vulnerabilities}
        for report in (reports.setdefault(case.group, ParsingReport()), reports["all"]):
            report.cases += 1
            report.expected += len(case.expect)
            report.right += len(case.expect & claimed.keys())
            for vid, conf in claimed.items():
                if vid not in case.expect and vid not in case.allow:
                    report.false += 1
                    report.false_claims.append((case.text, vid, conf))
            report.missed.extend((case.text, vid) for vid in sorted(case.expect - claimed.keys()))
    return reports
