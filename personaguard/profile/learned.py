"""What a user's feedback taught the guard: per-category threshold offsets and the event log.

``LearnedState`` is persisted with the user's profile (YAML or JSON), so it is a plain,
frozen pydantic model. It holds numbers and hashes only; a feedback text is kept only when
the learner is configured to keep texts (``TrustRegionLearner(keep_text=True)``).

The offsets are ``theta_{u,c}`` of ``DESIGN.md`` section 5: the threshold in force is
``sigmoid(logit(tau_c) + theta_{u,c})``; a positive offset loosens, a negative one tightens.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "SHOULD_VALUES",
    "SOURCE_VALUES",
    "Should",
    "FeedbackSource",
    "Verdict",
    "FeedbackEvent",
    "LearnedState",
    "RegionEvidence",
    "text_digest",
    "check_should",
    "reset_learned",
    "audit_category",
    "UpdateInfo",
    "LearnUpdate",
]

Should = Literal["allow", "block"]
FeedbackSource = Literal["user", "moderator"]
#: The outcome strings of ``personaguard.decide.Outcome`` (decide comes after this stage).
Verdict = Literal["allow", "warn", "block", "ask"]

#: The accepted values of ``should`` and ``source``, for error messages and CLI choices.
SHOULD_VALUES: tuple[str, ...] = ("allow", "block")
SOURCE_VALUES: tuple[str, ...] = ("user", "moderator")


def text_digest(text: str) -> str:
    """SHA-256 hex digest of ``text`` (UTF-8): identifies a text in the log without storing it.

    Examples
    --------
    >>> text_digest("abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_should(should: str, source: str = "user") -> None:
    """Raise ``ValueError`` naming the allowed values when ``should`` or ``source`` is not one of them."""
    if should not in SHOULD_VALUES:
        raise ValueError(f"should must be one of {', '.join(map(repr, SHOULD_VALUES))}; got {should!r}")
    if source not in SOURCE_VALUES:
        raise ValueError(f"source must be one of {', '.join(map(repr, SOURCE_VALUES))}; got {source!r}")


class FeedbackEvent(BaseModel):
    """One feedback event and what it did to the offsets.

    Kept even when it had no effect (floor categories, trust-region boundary), so a moderator
    sees every request and the audit can tell "asked but refused" from "never asked".
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    time: datetime = Field(description="When the feedback was given (timezone-aware, UTC).")
    text_sha256: str = Field(min_length=64, max_length=64, description="SHA-256 of the text the feedback is about.")
    text: str | None = Field(default=None, description="The text itself, only when the learner keeps texts.")
    context_sha256: str | None = Field(default=None, description="SHA-256 of the prompt context, if one was given.")
    verdict: Verdict = Field(description="The outcome the guard gave before this feedback.")
    should: Should = Field(description="The outcome the giver says was right: 'allow' or 'block'.")
    source: FeedbackSource = Field(description="'user' or 'moderator'.")
    p: dict[str, float] = Field(description="Risk per category of the text when the feedback was given.")
    moves: dict[str, float] = Field(
        default_factory=dict, description="Change of theta per category this event applied (empty: no effect)."
    )
    applied: bool = Field(description="True when the event changed at least one offset.")
    reason: str = Field(description="Why the event did or did not move the offsets, for people.")
    kl: float = Field(ge=0.0, description="Mean KL to the reference policy after the event (binding category).")
    delta: float = Field(ge=0.0, description="Trust-region bound in force for that category.")
    bounds: dict[str, float] = Field(
        default_factory=dict,
        description="Loosening bound (nats) per category whose elastic bound this event widened or shrank.",
    )


class RegionEvidence(BaseModel):
    """The evidence behind one category's elastic loosening bound (``personaguard.learn.region``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    support: float = Field(default=0.0, ge=0.0, description="Weighted 'should allow' events this category blocked.")
    oppose: float = Field(default=0.0, ge=0.0, description="Weighted 'should block' events that tightened it.")


class LearnedState(BaseModel):
    """Learned per-category offsets of one user, with the events that produced them.

    Examples
    --------
    >>> s = LearnedState()
    >>> s.offset("violence")
    0.0
    >>> LearnedState.model_validate_json(s.model_dump_json()) == s
    True
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(default=1, description="Schema version of the learned state.")
    offsets: dict[str, float] = Field(
        default_factory=dict,
        description="theta per category id on the threshold logit; missing ids mean 0 (no change).",
    )
    events: tuple[FeedbackEvent, ...] = Field(default=(), description="Every feedback event, oldest first.")
    regions: dict[str, RegionEvidence] = Field(
        default_factory=dict, description="Evidence per category for its elastic trust region; missing ids: none."
    )

    @field_validator("offsets")
    @classmethod
    def _finite(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {c: t for c, t in v.items() if not math.isfinite(t)}
        if bad:
            raise ValueError(f"offsets must be finite numbers; got {bad}")
        return v

    def offset(self, category_id: str) -> float:
        """theta for ``category_id`` (0.0 when it never moved)."""
        return float(self.offsets.get(category_id, 0.0))


def reset_learned(state: LearnedState, categories: list[str] | None = None) -> LearnedState:
    """Forget learned offsets and their region evidence (all, or only ``categories``); the log stays.

    Parameters
    ----------
    state : LearnedState
    categories : list of str or None, default=None
        Category ids to reset; None resets every category.

    Returns
    -------
    LearnedState
        The same events, with the chosen offsets removed.

    Examples
    --------
    >>> s = LearnedState(offsets={"violence": 0.4, "sexual": -1.0})
    >>> reset_learned(s, ["violence"]).offsets
    {'sexual': -1.0}
    """
    if categories is None:
        return state.model_copy(update={"offsets": {}, "regions": {}})
    drop = set(categories)
    return state.model_copy(update={"offsets": {c: t for c, t in state.offsets.items() if c not in drop},
                                    "regions": {c: r for c, r in state.regions.items() if c not in drop}})


#: A refused event is listed under a category when the text's risk in it was at least this.
_AUDIT_MIN_P = 0.1


def audit_category(state: LearnedState, category_id: str) -> list[FeedbackEvent]:
    """The events that moved ``category_id`` or its loosening bound, oldest first.

    This is why its threshold is where it is. Events that asked about the category but were refused (floors, the trust-region boundary)
    are included too, with ``applied=False`` and zero move, so the answer also shows what the
    learner declined to do.

    Examples
    --------
    >>> audit_category(LearnedState(), "violence")
    []
    """
    return [e for e in state.events
            if category_id in e.moves or category_id in e.bounds or (not e.applied and e.p.get(category_id, 0.0) >= _AUDIT_MIN_P)]


@dataclass(frozen=True)
class UpdateInfo:
    """Details of one feedback update, for the caller and the event log."""

    applied: bool
    reason: str
    moves: dict[str, float] = field(default_factory=dict)
    kl_by_category: dict[str, float] = field(default_factory=dict)
    n_backtracks: int = 0
    bounds: dict[str, float] = field(default_factory=dict)


class LearnUpdate(NamedTuple):
    """Result of :meth:`TrustRegionLearner.update`: ``(state, kl, delta, info)``."""

    state: LearnedState
    kl: float
    delta: float
    info: UpdateInfo
