"""Where a user lives, and what that makes legal for them at their age (``jurisdictions.yaml``).

A self-description's place ("I live in Texas", "I'm from Saudi Arabia") and age ("I'm 19") are
read here; the legal ages and prohibitions of that place (a US state inherits its country's
values and overrides some) turn into knowledge-base claims such as ``alcohol-illegal-here``,
whose evidence names the law that applied. Unknown place with an age that is legal in some
places and not in others: a low-confidence claim, so the guard asks where the answer decides
the verdict (value of information) rather than guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from personaguard.profile.claims import VulnerabilityClaim
from personaguard.taxonomy.load import load_yaml_model

__all__ = ["SUBJECTS", "Jurisdiction", "JurisdictionTable", "PlaceMention", "legal_claims", "load_jurisdictions"]

Rule = int | Literal["prohibited"] | None
#: What the table rules on, and the knowledge-base entry a restriction becomes.
SUBJECTS: dict[str, str] = {
    "alcohol": "alcohol-illegal-here",
    "tobacco": "tobacco-illegal-here",
    "gambling": "gambling-illegal-here",
    "cannabis": "cannabis-illegal-here",
    "firearms": "firearms-illegal-here",
}
#: Confidence of a claim the law settles (place and age both known), and of one only some places
#: would make (age known, place not): low enough to ask rather than to block.
SETTLED, DEPENDS_ON_PLACE = 0.95, 0.4
_INTRO = re.compile(
    r"\b(?:(?:live|living|reside|residing|based|staying|settled|studying|study|work|working)\s+in|"
    r"(?:i'?m|i\s+am|we'?re|we\s+are|i\s+come|we\s+come)\s+(?:originally\s+)?from|moved\s+to|"
    r"currently\s+in|here\s+in|(?:i'?m|i\s+am)\s+in)\s+(?:the\s+)?",
    re.IGNORECASE,
)


class Jurisdiction(BaseModel):
    """One row: a country or a US state and its legal ages (``prohibited``: at any age)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z]{2}(?:-[A-Z]{2})?$")
    name: str = Field(min_length=2)
    aliases: list[str] = Field(default_factory=list)
    parent: str | None = None
    alcohol: Rule = None
    tobacco: Rule = None
    gambling: Rule = None
    cannabis: Rule = None
    firearms: Rule = None
    driving: int | None = None
    majority: int | None = None
    note: str = ""

    @model_validator(mode="after")
    def _ages(self) -> Jurisdiction:
        for subject in (*SUBJECTS, "driving", "majority"):
            value = getattr(self, subject)
            if isinstance(value, int) and not 10 <= value <= 30:
                raise ValueError(f"{self.code}: {subject} age {value} is outside 10..30")
        return self

    def rule(self, subject: str) -> Rule:
        """The rule on ``subject`` (one of :data:`SUBJECTS`)."""
        value: Rule = getattr(self, subject)
        return value


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a self-description: the resolved row and the words that named it."""

    jurisdiction: Jurisdiction
    evidence: str
    span: tuple[int, int]


class JurisdictionTable(BaseModel):
    """The whole of ``jurisdictions.yaml``, validated at load.

    Examples
    --------
    >>> table = load_jurisdictions()
    >>> texas = table.find("I'm 19 and I live in Houston.").jurisdiction
    >>> texas.code, texas.alcohol, texas.cannabis
    ('US-TX', 21, 'prohibited')
    >>> table.find("My name is Austin.") is None
    True
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    _merged: dict[str, Jurisdiction] = PrivateAttr()
    _names: dict[str, str] = PrivateAttr()
    _after_intro: re.Pattern[str] = PrivateAttr()

    version: int = 1
    as_of: str
    source: str
    jurisdictions: list[Jurisdiction] = Field(min_length=1)

    @model_validator(mode="after")
    def _links(self) -> JurisdictionTable:
        codes = [j.code for j in self.jurisdictions]
        if len(set(codes)) != len(codes):
            raise ValueError("a jurisdiction code is listed twice")
        for j in self.jurisdictions:
            if j.parent is not None and j.parent not in codes:
                raise ValueError(f"{j.code}: parent {j.parent!r} is not in the table")
        return self

    def model_post_init(self, context: object, /) -> None:
        by_code = {j.code: j for j in self.jurisdictions}
        merged = {}
        for j in self.jurisdictions:
            if j.parent is None:
                merged[j.code] = j
                continue
            parent = by_code.get(j.parent)
            if parent is None:  # reported by the validator, which runs after this
                continue
            values = {k: v for k, v in j.model_dump().items() if v is not None and k not in ("aliases", "note")}
            inherited = {k: v for k, v in parent.model_dump().items() if k not in ("code", "name", "aliases", "parent", "note")}
            note = "; ".join(n for n in (parent.note, j.note) if n)
            merged[j.code] = Jurisdiction(**{**inherited, **values, "aliases": j.aliases, "note": note,
                                             "name": f"{j.name}, {parent.name}"})
        names: list[tuple[str, str]] = []
        for j in self.jurisdictions:
            for alias in (j.name, *j.aliases):
                names.append((alias.lower(), j.code))
        # Longest first: "New York City" before "New York", "South Korea" before "Korea".
        names.sort(key=lambda kv: -len(kv[0]))
        pattern = "|".join(re.escape(n) for n, _ in names)
        self._merged = merged
        self._names = dict(names)
        self._after_intro = re.compile(rf"({pattern})(?![\w-])", re.IGNORECASE)

    def get(self, code: str) -> Jurisdiction:
        """A row by code, with a state's missing values taken from its country."""
        merged: dict[str, Jurisdiction] = self._merged
        return merged[code]

    def find(self, text: str) -> PlaceMention | None:
        """The first place the text says the user lives in (after "I live in", "I'm from", ...)."""
        names: dict[str, str] = self._names
        after: re.Pattern[str] = self._after_intro
        for intro in _INTRO.finditer(text):
            m = after.match(text, intro.end())
            if m is not None:
                return PlaceMention(self.get(names[m.group(1).lower()]), text[intro.start():m.end()], (intro.start(), m.end()))
        return None

    def widest_age(self, subject: str) -> int | None:
        """The highest legal age for ``subject`` anywhere in the table (None: never tabulated)."""
        ages = [a for j in self.jurisdictions if isinstance(a := j.rule(subject), int)]
        return max(ages, default=None)


def legal_claims(table: JurisdictionTable, place: PlaceMention | None, age: int | None,
                 age_evidence: str = "") -> list[VulnerabilityClaim]:
    """Knowledge-base claims the user's place and age make, each with the law as evidence.

    Place known: a prohibition applies at any age, a legal age when the user's age is below it.
    Place unknown, adult age known: where the age is legal in some places and not in others, a
    claim of confidence :data:`DEPENDS_ON_PLACE`, so that the guard asks. Minors are left to the
    age entries (``minor``, ``child``), which are stricter everywhere.

    Examples
    --------
    >>> t = load_jurisdictions()
    >>> [c.id for c in legal_claims(t, t.find("I live in Riyadh"), None)]
    ['alcohol-illegal-here', 'gambling-illegal-here', 'cannabis-illegal-here']
    >>> legal_claims(t, t.find("I live in Germany"), 19)
    []
    >>> [(c.id, c.confidence) for c in legal_claims(t, None, 19)][:1]
    [('alcohol-illegal-here', 0.4)]
    """
    claims = []
    for subject, vid in SUBJECTS.items():
        if place is not None:
            j = place.jurisdiction
            rule = j.rule(subject)
            if rule == "prohibited":
                why = f"{j.name}: {subject} is prohibited (jurisdictions.yaml, as of {table.as_of})"
            elif isinstance(rule, int) and age is not None and age < rule:
                why = f"{j.name}: the legal age for {subject} is {rule}, and you are {age} (jurisdictions.yaml, as of {table.as_of})"
            else:
                continue
            evidence = f"{place.evidence}{'; ' + age_evidence if age_evidence and rule != 'prohibited' else ''} -> {why}"
            claims.append(VulnerabilityClaim(id=vid, confidence=SETTLED, evidence=evidence, span=place.span))
        elif age is not None and age >= 18 and subject in ("alcohol", "gambling", "tobacco"):
            widest = table.widest_age(subject)
            if widest is not None and age < widest:
                claims.append(VulnerabilityClaim(
                    id=vid, confidence=DEPENDS_ON_PLACE,
                    evidence=f"{age_evidence} -> at {age}, {subject} is legal in some places and not in others "
                             f"(up to {widest}); where you live decides",
                ))
    return claims


@lru_cache(maxsize=4)
def load_jurisdictions(path: str | None = None) -> JurisdictionTable:
    """The packaged table, or one from a YAML file; validated whole at load.

    Raises
    ------
    ConfigError
        Naming the file and field of the first problem.
    """
    return load_yaml_model(JurisdictionTable, package="personaguard.profile", name="jurisdictions.yaml", path=path)
