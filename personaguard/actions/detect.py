"""Find personal data in an action's text: which data types, whose, and the words that show it.

Signals are regexes from ``data_types.yaml`` (validated and compiled once at load), so one check
of a typical action costs well under a millisecond; see docs/agents.md for why patterns and not
the encoder here (the text guard still reads every outward text for harm).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from personaguard.actions.kinds import DataType
from personaguard.taxonomy.load import load_yaml_model

__all__ = ["DataLexicon", "Detection", "Signal", "load_lexicon"]

_SENTENCE_END = re.compile(r"[.!?\n]")


@dataclass(frozen=True)
class Detection:
    """One piece of personal data found in a text.

    Attributes
    ----------
    data_type : DataType
    strength : float
        How surely the words mean this data is present, in (0, 1].
    evidence : str
        The matched words (secrets masked).
    path : str
        The argument the text came from (``"body"``, ``"fields.ssn"``).
    subject : str
        ``"self"``, ``"third_party"`` or ``"child"``: whose data it is.
    """

    data_type: DataType
    strength: float
    evidence: str
    path: str = ""
    subject: str = "self"


class Signal(BaseModel):
    """One pattern that shows a data type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    strength: float = Field(gt=0.0, le=1.0)
    pattern: str
    case_sensitive: bool = False
    check: Literal["luhn"] | None = None
    owned_only: bool = Field(default=False, description=(
        "A terse label that names a record only in the user's own things (file names, calendar "
        "titles, form fields): 'custody_agreement.pdf'; in a sentence it would be a topic."))
    needs_anchor: bool = Field(default=True, description=(
        "Topic words only disclose someone's data in a sentence about a person (I, my, she, a "
        "named relation); without one the strength is scaled by `unanchored`. Structured values "
        "(card numbers, addresses) set this false."))

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern {value!r} is not a valid regex: {exc}") from exc
        return value


class DataLexicon(BaseModel):
    """Signals per data type, subject cues and permission scopes (``data_types.yaml``).

    Examples
    --------
    >>> lex = load_lexicon()
    >>> [(d.data_type.value, d.subject) for d in lex.detect("My wife was diagnosed with cancer last week.")]
    [('health', 'third_party')]
    >>> lex.detect("See you at the game!")
    []
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    _compiled: list[tuple[DataType, Signal, re.Pattern[str]]] = PrivateAttr()
    _third: re.Pattern[str] = PrivateAttr()
    _child: re.Pattern[str] = PrivateAttr()
    _anchor: re.Pattern[str] = PrivateAttr()
    _scope_words: dict[str, DataType] = PrivateAttr()

    data_types: dict[DataType, list[Signal]]
    subjects: dict[Literal["third_party", "children", "anchor"], str]
    unanchored: float = Field(default=0.35, ge=0.0, le=1.0, description="Strength factor for topic words about no one.")
    scopes: dict[DataType, list[str]] = Field(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        compiled = [
            (dt, s, re.compile(s.pattern, 0 if s.case_sensitive else re.IGNORECASE))
            for dt, signals in self.data_types.items() for s in signals
        ]
        self._compiled = compiled
        self._third = re.compile(self.subjects["third_party"], re.IGNORECASE)
        self._child = re.compile(self.subjects["children"], re.IGNORECASE)
        self._anchor = re.compile(self.subjects["anchor"], re.IGNORECASE)
        scope_words = {w.lower(): dt for dt, words in self.scopes.items() for w in words}
        self._scope_words = scope_words

    def detect(self, text: str, path: str = "", *, owned: bool = False) -> list[Detection]:
        """The strongest detection per (data type, subject) in ``text``, strongest first.

        ``owned=True`` says the text is the user's own record (a file name, a file's content), so
        topic words need no personal anchor in the sentence.
        """
        best: dict[tuple[DataType, str], Detection] = {}
        for dt, signal, rx in self._compiled:
            if signal.owned_only and not owned:
                continue
            for m in rx.finditer(text):
                if signal.check == "luhn" and not _luhn(m.group(0)):
                    continue
                subject, sentence = self._subject(text, m.start(), m.end(), dt)
                strength = signal.strength
                if signal.needs_anchor and not owned and subject == "self" and not self._anchor.search(sentence):
                    strength *= self.unanchored
                key = (dt, subject)
                if key not in best or best[key].strength < strength:
                    best[key] = Detection(dt, strength, _mask(dt, m.group(0)), path, subject)
                break
        return sorted(best.values(), key=lambda d: (-d.strength, d.data_type.value))

    def scope_types(self, scope: str) -> list[DataType]:
        """Data types a permission or setting scope opens (``"ACCESS_FINE_LOCATION"`` -> location)."""
        words = set(re.findall(r"[a-z]+", scope.lower()))
        joined = "_".join(re.findall(r"[a-z]+", scope.lower()))
        table: dict[str, DataType] = self._scope_words
        found = {dt for w, dt in table.items() if w in words or w in joined}
        return sorted(found, key=lambda d: d.value)

    def _subject(self, text: str, start: int, end: int, dt: DataType) -> tuple[str, str]:
        lo = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
        hi_m = _SENTENCE_END.search(text, end)
        sentence = text[lo:hi_m.start() if hi_m else len(text)]
        if dt is not DataType.CHILDREN and self._child.search(sentence):
            return "child", sentence
        if self._third.search(sentence):
            return "third_party", sentence
        return "self", sentence


def _luhn(raw: str) -> bool:
    digits = [int(c) for c in raw if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return total % 10 == 0


def _mask(dt: DataType, evidence: str) -> str:
    """Evidence as shown in explanations and the audit log: secrets and numbers masked."""
    if dt is DataType.CREDENTIALS:
        parts = re.split(r"(\s*(?:\bis\b|:|=)\s*)", evidence, maxsplit=1)
        if len(parts) == 3:
            return parts[0] + parts[1] + "***"
    if dt in (DataType.CREDENTIALS, DataType.FINANCE, DataType.CONTACTS):
        return re.sub(r"\d", "•", evidence)[:80]
    return evidence[:80]


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> DataLexicon:
    """The packaged lexicon, or one from a YAML file; every regex is compiled at load.

    Raises
    ------
    ConfigError
        Naming the file and field of the first problem (a bad regex included).
    """
    return load_yaml_model(DataLexicon, package="personaguard.actions", name="data_types.yaml", path=path)
