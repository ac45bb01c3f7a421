"""The vulnerability knowledge base: schema, validation and loading.

A vulnerability (a condition, a life situation, a role) makes some ordinary requests harmful
for the person who has it. The knowledge base is policy as data: a YAML file validated whole
at load (ids unique, every topic reference and taxonomy category resolves), never partially.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from personaguard.errors import ConfigError, UnknownIdError
from personaguard.taxonomy import Taxonomy
from personaguard.taxonomy.load import parse_yaml_model

__all__ = [
    "Contraindication",
    "KnowledgeBase",
    "LogisticMap",
    "ProbeMap",
    "Topic",
    "Vulnerability",
    "VulnerabilityGroup",
    "knowledge_base_from_text",
    "load_knowledge_base",
]

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FROZEN = ConfigDict(extra="forbid", frozen=True)


class VulnerabilityGroup(StrEnum):
    """Broad kind of vulnerability (used for reporting)."""

    PHYSICAL_HEALTH = "physical_health"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    AGE = "age"
    LEGAL = "legal"


class LogisticMap(BaseModel):
    """A calibration map ``sigmoid(slope * (s - center) + contrast * (s - s_neg))``.

    ``s`` is the best cosine similarity to the positive phrases, ``s_neg`` the best similarity
    to the generic (negative) phrases; the contrast term is what keeps "buy a bottle of water"
    from looking like "buy a bottle of vodka".
    """

    model_config = _FROZEN

    slope: float = Field(gt=0.0, description="Gain on the similarity to the positive phrases.")
    center: float = Field(ge=-1.0, le=1.0, description="Similarity at which the map gives 0.5 (without contrast).")
    contrast: float = Field(ge=0.0, description="Gain on the margin over the best generic phrase.")


class ProbeMap(BaseModel):
    """Calibration of a topic probe: ``q = sigmoid(slope * (logit - center) + contrast * (s - s_neg))``.

    Fitted on cross-validated logits at the empirical prior (a request rarely belongs to a given
    topic), so ``center`` sits well above the probe's own, class-balanced, boundary at 0. The
    margin term is the relevance map's: a request closer to a generic one ("buy a bottle of
    sparkling water") than to any of the topic's examples needs a stronger probe.
    """

    model_config = _FROZEN

    slope: float = Field(gt=0.0, description="Gain on the probe's logit.")
    center: float = Field(description="Logit at which the map gives 0.5 (at zero margin).")
    contrast: float = Field(default=0.0, ge=0.0, description="Gain on the margin of example similarity over the generic requests.")


class Topic(BaseModel):
    """A kind of request (e.g. buying alcohol) with a few example requests."""

    model_config = _FROZEN

    name: str = Field(min_length=1, description="Readable topic name used in explanations.")
    examples: list[str] = Field(min_length=2, description="Example requests of this kind.")
    keywords: list[str] = Field(
        default_factory=list,
        description="Lowercase words or phrases (brands, substances) that by themselves mark a request of this kind.",
    )
    absent: list[str] = Field(
        default_factory=list,
        description=(
            "Lowercase phrases saying the topic's substance is absent ('alcohol-free', 'decaf'): a request that "
            "names one is not of this kind, whatever its similarity or other keywords say."
        ),
    )
    contextual_keywords: list[str] = Field(
        default_factory=list,
        description=(
            "Names that are also ordinary words (Malibu, Patron, Corona): they mark a request of this kind "
            "only right after one of the knowledge base's keyword_contexts ('a bottle of Corona')."
        ),
    )

    @field_validator("keywords")
    @classmethod
    def _check_keywords(cls, value: list[str]) -> list[str]:
        return _check_phrases(value, "keyword", 4)

    @field_validator("contextual_keywords")
    @classmethod
    def _check_contextual(cls, value: list[str]) -> list[str]:
        return _check_phrases(value, "contextual keyword", 2)

    @field_validator("absent")
    @classmethod
    def _check_absent(cls, value: list[str]) -> list[str]:
        return _check_phrases(value, "absence marker", 4)


def _check_phrases(value: list[str], what: str, max_words: int) -> list[str]:
    for k in value:
        if not k or k != k.strip().lower():
            raise ValueError(f"{what} {k!r} must be non-empty, lowercase and without outer spaces")
        if len(k.split()) > max_words:
            raise ValueError(f"{what} {k!r} has more than {max_words} words; keywords are names, not requests (use examples)")
    return value


class Contraindication(BaseModel):
    """A topic that is harmful for people with a given vulnerability."""

    model_config = _FROZEN

    topic: str = Field(description="Id of a topic in the knowledge base's topic library.")
    severity: float = Field(gt=0.0, le=1.0, description="How harmful fulfilling such a request is, in (0, 1].")


class Vulnerability(BaseModel):
    """One entry of the knowledge base."""

    model_config = _FROZEN

    id: str = Field(description="Stable id, lowercase words joined by '-'.")
    name: str = Field(min_length=1, description="Readable name used in explanations.")
    group: VulnerabilityGroup = Field(description="Broad kind of vulnerability.")
    description: str = Field(min_length=1, description="What it is and why it matters.")
    cues: list[str] = Field(min_length=2, description="First-person phrases that reveal it in a self-description.")
    categories: list[str] = Field(min_length=1, description="Taxonomy categories whose risk it raises.")
    guidance: str = Field(min_length=1, description="Short text shown with a warn.")
    contraindications: list[Contraindication] = Field(min_length=1, description="Topics harmful for this person.")
    question: str = Field(default="", description="Asked when the verdict hinges on it; empty: made from ``name``.")
    sources: list[str] = Field(
        default_factory=list,
        description="Public references for what harms a person with it (health services, statutes, guidelines).",
    )

    @property
    def question_text(self) -> str:
        """The question to ask a user whose verdict hinges on this vulnerability.

        >>> Vulnerability.model_construct(name="liver disease", question="").question_text
        'Before I answer: does this apply to you: liver disease?'
        """
        return self.question or f"Before I answer: does this apply to you: {self.name}?"

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"vulnerability id {value!r} must be lowercase words joined by '-'")
        return value


class KnowledgeBase(BaseModel):
    """The whole knowledge base file."""

    model_config = _FROZEN

    version: int = Field(description="File format version.")
    name: str = Field(description="Name of this knowledge base.")
    relevance: LogisticMap = Field(description="Calibration of q_v from similarity to contraindication examples.")
    custom: LogisticMap = Field(description="Calibration of custom-category and allow-example scores.")
    parse: LogisticMap = Field(description="Calibration of parse confidence from similarity to cue phrases.")
    probe: ProbeMap | None = Field(
        default=None,
        description="Calibration of the topic probes (profile/probes.py); q_t is the larger of it and the relevance map. "
                    "None: examples and keywords only.",
    )
    keyword_relevance: float = Field(
        gt=0.0, le=1.0, description="q_t of a request that names one of topic t's keywords."
    )
    keyword_contexts: list[str] = Field(
        default_factory=list,
        description="Phrases ('bottle of') after which a topic's contextual_keywords count as keywords.",
    )
    generic_requests: list[str] = Field(min_length=5, description="Benign requests: negatives for relevance.")
    neutral_descriptions: list[str] = Field(min_length=3, description="Self-descriptions revealing no vulnerability.")
    topics: dict[str, Topic] = Field(min_length=1, description="Topic library, by id.")
    vulnerabilities: list[Vulnerability] = Field(min_length=1, description="The entries.")

    @field_validator("keyword_contexts")
    @classmethod
    def _check_contexts(cls, value: list[str]) -> list[str]:
        return _check_phrases(value, "keyword context", 2)

    @model_validator(mode="after")
    def _check_references(self) -> KnowledgeBase:
        seen: set[str] = set()
        for v in self.vulnerabilities:
            if v.id in seen:
                raise ValueError(f"duplicate vulnerability id {v.id!r}")
            seen.add(v.id)
            for c in v.contraindications:
                if c.topic not in self.topics:
                    raise ValueError(f"vulnerability {v.id!r} names unknown topic {c.topic!r}")
        return self

    def topic_keywords(self, topic_id: str) -> list[str]:
        """All keywords of a topic: its own, and each contextual keyword after each context.

        Examples
        --------
        >>> kb = load_knowledge_base()
        >>> "bottles of corona" in kb.topic_keywords("alcohol"), "corona" in kb.topic_keywords("alcohol")
        (True, False)
        """
        topic = self.topics[topic_id]
        return [*topic.keywords, *(f"{c} {k}" for k in topic.contextual_keywords for c in self.keyword_contexts)]

    @property
    def ids(self) -> list[str]:
        """Vulnerability ids in file order."""
        return [v.id for v in self.vulnerabilities]

    def get(self, vulnerability_id: str) -> Vulnerability:
        """The entry with this id.

        Raises
        ------
        UnknownIdError
            If no entry has this id.
        """
        for v in self.vulnerabilities:
            if v.id == vulnerability_id:
                return v
        raise UnknownIdError("vulnerability", vulnerability_id, known=self.ids)

    def check_categories(self, taxonomy: Taxonomy, *, source: str = "<knowledge base>") -> None:
        """Raise :class:`ConfigError` if an entry names a category the taxonomy lacks."""
        known = set(taxonomy.ids)
        for i, v in enumerate(self.vulnerabilities):
            for j, c in enumerate(v.categories):
                if c not in known:
                    raise ConfigError(
                        f"vulnerability {v.id!r} names unknown category {c!r}; use one of {sorted(known)}",
                        source=source,
                        loc=("vulnerabilities", i, "categories", j),
                    )


def knowledge_base_from_text(
    text: str, *, taxonomy: Taxonomy | None = None, source: str = "<text>"
) -> KnowledgeBase:
    """Parse and validate a knowledge base from YAML text.

    Parameters
    ----------
    text : str
        YAML (or JSON) text.
    taxonomy : Taxonomy or None, default=None
        When given, every category an entry names must exist in it.
    source : str, default="<text>"
        Name used in error messages.

    Raises
    ------
    ConfigError
        Naming ``source`` and the field path of the first problem.
    """
    kb = parse_yaml_model(text, KnowledgeBase, source=source)
    if taxonomy is not None:
        kb.check_categories(taxonomy, source=source)
    return kb


def load_knowledge_base(
    path: str | os.PathLike[str] | None = None, *, taxonomy: Taxonomy | None = None
) -> KnowledgeBase:
    """Load a knowledge base file, or the packaged one when ``path`` is None.

    Examples
    --------
    >>> from personaguard.taxonomy import load_taxonomy
    >>> kb = load_knowledge_base(taxonomy=load_taxonomy())
    >>> kb.get("liver-disease").contraindications[0].topic
    'alcohol'

    Raises
    ------
    ConfigError
        If the file cannot be read or does not validate.
    """
    if path is None:
        text = resources.files("personaguard.profile").joinpath("vulnerabilities.yaml").read_text(encoding="utf-8")
        return knowledge_base_from_text(text, taxonomy=taxonomy, source="personaguard/profile/vulnerabilities.yaml")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read knowledge base file: {exc}", source=str(p)) from exc
    return knowledge_base_from_text(text, taxonomy=taxonomy, source=str(p))
