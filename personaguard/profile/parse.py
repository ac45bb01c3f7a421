"""Parsing a free-text self-description into vulnerabilities, each with confidence and evidence.

Offline and on CPU: the description is split into clauses, each clause is embedded with
all-MiniLM-L6-v2 and compared with the cue phrases of every knowledge-base entry (and with
neutral self-descriptions, as negatives); the calibrated similarity is the confidence. Ages
are read with patterns, because embeddings do not do arithmetic ("I'm 15" is a minor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from personaguard.profile.claims import AGE_BAND_VULNERABILITIES, AgeBand, VulnerabilityClaim
from personaguard.profile.index import KnowledgeBaseIndex, load_or_build_index, max_similarity
from personaguard.profile.jurisdictions import SUBJECTS
from personaguard.profile.maps import apply_logistic
from personaguard.profile.vulnerabilities import KnowledgeBase, load_knowledge_base
from personaguard.score.encoder import MiniLMEncoder
from personaguard.score.onnx_runtime import load_encoder

__all__ = ["ParsedDescription", "VulnerabilityParser", "age_band_for", "default_parser"]

_CLAUSE_END = re.compile(
    r"[.!?;\n]+|,\s*(?:and|but|so)\s+|\s+(?:and also|but also|but|although|plus)\s+"
    # "I'm 15 and my liver is shot": a plain "and" starts a new clause when a new subject follows.
    r"|\s+and\s+(?=(?:i|i'm|i’m|i've|my|we|we're)\b)"
    # "I am pregnant and have diabetes": so does a verb whose subject "I" is left out. One clause
    # held both, and only the entry nearest the whole clause survived the clause margin.
    r"|\s+and\s+(?=(?:have|has|had|take|took|am|was|suffer|suffered|use|used|struggle|live)\b)",
    re.I,
)
_NEGATED = re.compile(
    r"^\s*(?:i\s+(?:do\s+not|don'?t|don’t|never)\s+(?:have|had|suffer|take|use)|i\s+have\s+never|"
    r"i'?ve\s+never|i\s+am\s+not\s+an?\b|i'?m\s+not\s+an?\b|no\s+history\s+of|not\s+)",
    re.I,
)
#: Ages written as words, "sixteen" or "seventy-five", are read too: embeddings read "I'm
#: sixteen" as a minor *and* as an older adult (0.85). Words below seven are not ages here.
_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_NUMBER = (r"(\d{1,3}|(?:" + "|".join(_TENS) + r")(?:[\s-]+(?:" + "|".join(_UNITS[1:10]) + r"))?"
           r"|" + "|".join(_UNITS[:6:-1]) + r")")  # no words below seven: "I am one of the few"
_AGE_PATTERNS = (
    re.compile(r"\b(?:i\s*am|i'?m|i’m|im)\s+(?:only\s+|just\s+|almost\s+|nearly\s+)?" + _NUMBER + r"\b(?!\s*(?:%|(?:percent|kg|lbs?|pounds|cm|feet|ft|minutes|hours|days|weeks|months|times|of)\b))", re.I),
    re.compile(r"\b" + _NUMBER + r"[\s-]*(?:years?|yrs?)[\s-]*old\b", re.I),
    re.compile(r"\baged?\s+" + _NUMBER + r"\b", re.I),
    re.compile(r"\bturn(?:ed|ing)?\s+" + _NUMBER + r"\b", re.I),
)
#: Knowledge-base entries the user's place and age settle (jurisdictions.py), never a cue match:
#: "I live in Nevada" reads like "I'm too young to buy cigarettes here" to the encoder.
_LAW_ENTRIES = frozenset(SUBJECTS.values())
#: Knowledge-base entries that say how old someone is; an age read from the text settles them.
_AGE_GROUP_ENTRIES = frozenset(v for vids in AGE_BAND_VULNERABILITIES.values() for v in vids)


def _exact_age(text: str) -> tuple[int, str, tuple[int, int]] | None:
    """The first plausible age stated in ``text``: (years, the words, their span)."""
    for pattern in _AGE_PATTERNS:
        m = pattern.search(text)
        if m is None:
            continue
        age = number_value(m.group(1))
        if 0 < age < 120:
            return age, m.group(0), m.span()
    return None


def number_value(token: str) -> int:
    """The value of a number written in digits or in English words up to ninety-nine.

    Examples
    --------
    >>> number_value("16"), number_value("sixteen"), number_value("Seventy-five"), number_value("forty")
    (16, 16, 75, 40)
    """
    if token.isdigit():
        return int(token)
    words = re.split(r"[\s-]+", token.lower())
    if words[0] in _TENS:
        return _TENS[words[0]] + (_UNITS.index(words[1]) if len(words) > 1 else 0)
    return _UNITS.index(words[0])


#: A trailing place ("... a police officer in Japan."): where someone lives says nothing about
#: their condition or role, yet it pulls the clause's embedding away from the cue phrases.
_TRAILING_PLACE = re.compile(
    r"\s+(?:in|at|from|based\s+in|living\s+in)\s+(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}[\s.!?]*$"
)


def _variants(clause: str) -> list[str]:
    """The clause, plus the clause without a trailing place name when it has one.

    Examples
    --------
    >>> _variants("I am currently serving as a police officer in Japan.")
    ['I am currently serving as a police officer in Japan.', 'I am currently serving as a police officer']
    >>> _variants("I live in fear")
    ['I live in fear']
    """
    stripped = _TRAILING_PLACE.sub("", clause)
    return [clause, stripped] if stripped != clause and len(stripped) >= 3 else [clause]


def age_band_for(age: int) -> AgeBand:
    """The age band of an age in years.

    Examples
    --------
    >>> age_band_for(15).value, age_band_for(12).value, age_band_for(70).value
    ('teen', 'child', 'senior')
    """
    if age < 13:
        return AgeBand.CHILD
    if age < 18:
        return AgeBand.TEEN
    if age >= 65:
        return AgeBand.SENIOR
    return AgeBand.ADULT


@dataclass(frozen=True)
class ParsedDescription:
    """What a self-description revealed: vulnerabilities (best first) and an age band."""

    vulnerabilities: tuple[VulnerabilityClaim, ...]
    age_band: AgeBand | None


def _clauses(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_END.finditer(text):
        spans.append((start, m.end() if m.group().strip() in ".!?" else m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 3:
            out.append((a, b))
    return out


class VulnerabilityParser:
    """Turn a self-description into knowledge-base vulnerabilities.

    Parameters
    ----------
    knowledge_base : KnowledgeBase or None, default=None
        None loads the packaged one.
    encoder : MiniLMEncoder or None, default=None
        Reuse an encoder; None loads the packaged one on the fastest runtime installed
        (``personaguard.score.onnx_runtime.load_encoder``).
    index : KnowledgeBaseIndex or None, default=None
        Reuse precomputed phrase embeddings (e.g. the Guard's); None encodes them now.
    min_confidence : float, default=0.5
        Vulnerabilities below this confidence are left out.
    clause_margin : float, default=0.1
        A clause claims only entries whose cue similarity is within this margin of the clause's
        best entry: "I have hepatitis" names one condition, not every liver-adjacent one.
    neutral_margin : float, default=0.0
        A clause claims an entry only when the entry's cues match it at least this much better
        than the nearest neutral self-description (occupations, hobbies): "I am a bartender" is
        nearer "I am a sommelier" than any cue of alcohol use disorder. Chosen on the knowledge
        base itself, each phrase left out of its own match: at 0.0 it keeps 99.7% of the cues'
        claims and cuts neutral descriptions that claim something from 31% to 6%
        (docs/personalization.md, "Occupations"). Age groups are exempt: an ambiguous age is
        asked about, not dropped.
    """

    def __init__(
        self,
        *,
        knowledge_base: KnowledgeBase | None = None,
        encoder: MiniLMEncoder | None = None,
        index: KnowledgeBaseIndex | None = None,
        min_confidence: float = 0.5,
        clause_margin: float = 0.1,
        neutral_margin: float = 0.0,
    ) -> None:
        self.knowledge_base = knowledge_base if knowledge_base is not None else load_knowledge_base()
        self.encoder = encoder if encoder is not None else load_encoder()
        self.index = index if index is not None else load_or_build_index(self.knowledge_base, self.encoder)
        self.min_confidence = min_confidence
        self.clause_margin = clause_margin
        self.neutral_margin = neutral_margin
        # Cue phrases then neutral self-descriptions in one matrix: one product per parse.
        ix = self.index
        self.phrases_ = np.ascontiguousarray(np.concatenate([ix.cues, ix.neutral]))
        self.starts_ = np.append(ix.cue_start, len(ix.cues)).astype(np.intp)
        self.known_ = frozenset(ix.vulnerability_ids)
        # Age groups are exempt from the neutral margin: "I am a student." is nearer "I am a
        # university student." than any cue of a minor, yet it may be a minor; the claim's
        # middling confidence is what makes the guard ask (decide/ask.py) instead of guessing.
        self.margin_applies_ = np.array([v not in _AGE_GROUP_ENTRIES for v in ix.vulnerability_ids])

    def parse(self, text: str) -> ParsedDescription:
        """Vulnerabilities and age band found in ``text``; the empty text reveals nothing."""
        claims: dict[str, VulnerabilityClaim] = {}
        age_band = self._parse_age(text, claims)
        spans, clauses, first = [], [], []  # first: each clause's first row (its full text)
        for a, b in _clauses(text):
            if not _NEGATED.match(text[a:b]):
                first.append(len(clauses))
                clauses.extend(_variants(text[a:b]))
                spans.append((a, b))
        if spans:
            # All clauses in one forward pass: on a CPU a pass costs about the same for one short
            # clause as for several (reading the weights dominates).
            enc = self.encoder.encode(clauses)
            sims = max_similarity(enc.embeddings, enc.owner, len(clauses), self.phrases_, self.starts_)
            pos, neg = sims[:, :-1], sims[:, -1:]
            conf = apply_logistic(self.knowledge_base.parse, pos, neg)  # (n_variants, n_vulnerabilities)
            conf = np.where((pos >= pos.max(axis=1, keepdims=True) - self.clause_margin)
                            & ((pos >= neg + self.neutral_margin) | ~self.margin_applies_), conf, 0.0)
            # A place never creates a claim but cannot weaken one either: where the full clause
            # claims an entry, the clause takes its best variant. The bare variant alone
            # over-claims ("I am a student" reads as a minor); the full clause alone under-claims
            # roles held abroad. A clause's variants are consecutive rows starting at ``first``.
            full = conf[first]
            conf = np.where(full >= self.min_confidence, np.maximum.reduceat(conf, first, axis=0), full)
            best_clause = conf.argmax(axis=0)
            best = conf[best_clause, np.arange(conf.shape[1])]
            for j in np.flatnonzero(best >= self.min_confidence):
                vid = self.index.vulnerability_ids[j]
                if vid in _LAW_ENTRIES:  # claimed from jurisdictions.yaml only, with the law as evidence
                    continue
                a, b = spans[int(best_clause[j])]
                if vid not in claims or claims[vid].confidence < best[j]:
                    claims[vid] = VulnerabilityClaim(
                        id=vid, confidence=round(float(best[j]), 4), evidence=text[a:b], span=(a, b)
                    )
        self._add_legal_claims(text, claims)
        if age_band is not None:
            # An explicit age overrides every cue-based guess about age that contradicts it:
            # "I'm 30" is no minor, and "I'm 16" no older adult.
            implied = set(AGE_BAND_VULNERABILITIES[age_band.value])
            for vid in _AGE_GROUP_ENTRIES - implied:
                claims.pop(vid, None)
        ordered = sorted(claims.values(), key=lambda c: -c.confidence)
        return ParsedDescription(vulnerabilities=tuple(ordered), age_band=age_band)

    def _add_legal_claims(self, text: str, claims: dict[str, VulnerabilityClaim]) -> None:
        """Claims that the user's place and age make under jurisdictions.yaml (the law as evidence)."""
        from personaguard.profile.jurisdictions import legal_claims, load_jurisdictions

        table = load_jurisdictions()
        found = _exact_age(text)
        age, age_words = (found[0], found[1]) if found else (None, "")
        for claim in legal_claims(table, table.find(text), age, age_words):
            if claim.id in self.known_ and (claim.id not in claims or claims[claim.id].confidence < claim.confidence):
                claims[claim.id] = claim

    def _parse_age(self, text: str, claims: dict[str, VulnerabilityClaim]) -> AgeBand | None:
        found = _exact_age(text)
        if found is not None:
            age, _, span = found
            band = age_band_for(age)
            for vid in AGE_BAND_VULNERABILITIES[band.value]:
                if vid in self.known_:
                    claims[vid] = VulnerabilityClaim(id=vid, confidence=0.95, evidence=text[span[0]:span[1]], span=span)
            return band
        return None


@cache
def default_parser() -> VulnerabilityParser:
    """One packaged parser per process, built on first use.

    ``UserProfile.from_text`` without a parser used to build a new one per call (the encoder and
    the knowledge-base embeddings: about a second each time). The parser is read-only once
    built, so sharing it is safe; a Guard keeps its own (``Guard.vulnerability_parser``).
    """
    return VulnerabilityParser()
