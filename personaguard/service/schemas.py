"""Request and response shapes; limits sit on the fields so bad input fails at the edge (422)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from personaguard.actions.decision import ActionDecision
from personaguard.actions.kinds import ActionOutcome
from personaguard.decide.outcome import Outcome, Question, UserFactor

__all__ = [
    "USER_ID_PATTERN",
    "MAX_INPUTS",
    "ErrorBody",
    "ModerationRequest",
    "ModerationResult",
    "ModerationResponse",
    "PolicyApplied",
    "UserOut",
    "MonitorOut",
    "FeedbackIn",
    "FeedbackOut",
    "DecisionOut",
    "DecisionsPage",
    "Health",
    "ActionRequest",
    "ActionResponse",
]

#: User ids are opaque to us but must be printable and short (they appear in URLs and logs).
USER_ID_PATTERN = r"^[A-Za-z0-9._:@\-]{1,200}$"
#: Most texts one moderation request may carry.
MAX_INPUTS = 256


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """Every error response: a stable code, a message for people, and where the problem is."""

    code: str = Field(description="Stable slug, e.g. 'unknown_id', 'validation_error'.")
    message: str = Field(description="What went wrong and how to fix it.")
    loc: list[str | int] = Field(default_factory=list, description="Path of the bad field, if any.")
    request_id: str | None = Field(default=None, description="Id to quote when reporting a 500.")


class TextPart(_In):
    """A text part of an omni-moderation input."""

    type: Literal["text"]
    text: str = Field(description="The text.")


class ImageURL(_In):
    """Where an image part's bytes are: inline only (``data:image/...;base64,...``)."""

    url: str = Field(description="data:image/<type>;base64,<data>; network URLs are refused, never fetched.")


class ImagePart(_In):
    """An image part of an omni-moderation input."""

    type: Literal["image_url"]
    image_url: ImageURL


InputPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class ModerationRequest(_In):
    """OpenAI moderation request, plus personaguard's user and context fields."""

    input: str | list[str] | list[InputPart] = Field(
        description="One text, a list of texts (one result each), or an omni-moderation list of text and "
        "image parts (one result for the whole message)."
    )
    model: str | None = Field(default=None, max_length=200, description="Accepted for OpenAI client compatibility.")
    user: str | None = Field(
        default=None, pattern=USER_ID_PATTERN,
        description="End-user id, as in OpenAI's API: a stored profile, or a new id registered with the tenant's "
        "default policy (unless the tenant refuses unknown users: 404).",
    )
    user_profile: dict[str, Any] | None = Field(default=None, description="An inline UserProfile (not stored).")
    context: str | list[str | None] | None = Field(
        default=None, description="The prompt a text answers: one for all inputs, or one per input."
    )

    @model_validator(mode="after")
    def _check(self) -> ModerationRequest:
        if self.parts is not None and self.context is not None:
            raise ValueError("context is for text inputs; an omni-moderation message of parts has none")
        if isinstance(self.input, list) and not 1 <= len(self.input) <= MAX_INPUTS:
            raise ValueError(f"input must hold 1 to {MAX_INPUTS} texts, got {len(self.input)}")
        if self.user is not None and self.user_profile is not None:
            raise ValueError("give either user (a stored profile id) or user_profile (inline), not both")
        if isinstance(self.context, list) and len(self.context) != len(self.texts):
            raise ValueError(f"context has {len(self.context)} items but input has {len(self.texts)}")
        return self

    @property
    def parts(self) -> list[dict[str, Any]] | None:
        """The omni-moderation parts, or None for text input."""
        if isinstance(self.input, list) and self.input and not isinstance(self.input[0], str):
            return [p.model_dump() for p in self.input if not isinstance(p, str)]
        return None

    @property
    def texts(self) -> list[str]:
        """The input as a list of texts (for parts: the message's texts, one per line)."""
        if isinstance(self.input, str):
            return [self.input]
        if self.parts is not None:
            return ["\n".join(p.text for p in self.input if isinstance(p, TextPart))]
        return [t for t in self.input if isinstance(t, str)]

    @property
    def contexts(self) -> list[str | None] | None:
        """One context per text, or None."""
        if self.context is None or isinstance(self.context, list):
            return self.context
        return [self.context] * len(self.texts)


class ModerationResult(BaseModel):
    """One text's verdict: the OpenAI fields first, then personaguard's."""

    flagged: bool = Field(description="A content category warns, blocks or asks (prompt attacks: see is_attack).")
    categories: dict[str, bool] = Field(description="Per taxonomy category: did it warn or block.")
    category_scores: dict[str, float] = Field(description="Calibrated probability per taxonomy category.")
    outcome: Outcome = Field(description="allow, warn, block or ask.")
    explanation: str = Field(description="Why: top categories, thresholds in force and their sources.")
    user_factors: list[UserFactor] = Field(description="Facts about the user that changed a risk.")
    risks: dict[str, float] = Field(description="Personalized risk per category.")
    p_any: float = Field(ge=0.0, le=1.0, description="Probability that any content category is violated.")
    attack: float = Field(default=0.0, ge=0.0, le=1.0, description="Probability of a prompt attack (jailbreak, injection).")
    is_attack: bool = Field(default=False, description="The attack category warns or blocks; counted in outcome, not in flagged.")
    question: Question | None = Field(default=None, description="Set when outcome is ask.")
    decision_id: int = Field(description="Id of this decision in the audit log.")
    category_applied_input_types: dict[str, list[str]] = Field(
        description="Per category, the input types its score covers ('text', 'image'); images speak to 'sexual' only."
    )


class PolicyApplied(BaseModel):
    """Whose policy decided: which profile, and whether the request created it."""

    source: Literal["tenant_default", "stored_profile", "registered_user", "inline_profile"] = Field(
        description="tenant_default: no user given; stored_profile: the user's stored profile; registered_user: "
        "the id was new and was registered with the tenant's default policy; inline_profile: user_profile."
    )
    user: str | None = Field(default=None, description="The user id, when one was given.")
    vulnerabilities: list[str] = Field(default_factory=list, description="Vulnerability ids of the profile in force.")


class ModerationResponse(BaseModel):
    """OpenAI moderation response shape, plus the policy that applied."""

    id: str = Field(description="Request id (also in the audit log).")
    model: str = Field(description="The request's model name when it gave one (OpenAI clients send one), else the "
                       "scorer version.")
    model_version: str = Field(description="Version of the scorer that decided.")
    results: list[ModerationResult]
    policy: PolicyApplied = Field(description="Whose policy decided these results.")


class MonitorOut(BaseModel):
    """Label-free monitoring of the caller's recent decisions (docs/monitoring.md)."""

    window_size: int = Field(description="Decisions kept per tenant (the service's monitor_window setting).")
    n: int = Field(description="Decisions in the live window now.")
    flag_rate: float | None = Field(default=None, description="Share of the window flagged.")
    estimated_accuracy: float | None = Field(default=None, description="VRP estimate of correct flagged decisions.")
    interval: list[float] | None = Field(default=None, description="95% bootstrap interval of the estimate: low, high.")
    average_confidence: float | None = Field(default=None, description="Baseline: mean confidence in own decision.")
    reference_n: int = Field(description="Decisions in the reference window (the first full window); 0 until then.")
    drift_alerts: list[str] = Field(default_factory=list, description="Drift of the live window against the reference.")
    embedding_p_value: float | None = Field(default=None, description="MMD permutation p-value of the texts.")


class UserOut(BaseModel):
    """A stored user profile."""

    id: str
    profile: dict[str, Any] = Field(description="The stored UserProfile document.")
    updated_at: datetime


class AnswerIn(_In):
    """The user's answer to a decision's question (``Decision.question``)."""

    attribute: str = Field(
        pattern=r"^vulnerability:[a-z0-9-]+$", description="The question's attribute, e.g. 'vulnerability:minor'."
    )
    answer: bool = Field(description="True: it applies to the user; false: it does not.")


class FeedbackIn(_In):
    """This text should have been allowed (or blocked) for this user."""

    user: str = Field(pattern=USER_ID_PATTERN, description="Id of a stored user profile.")
    text: str = Field(pattern=r"\S", description="The text the verdict was about (not blank).")
    should: Literal["allow", "block"] = Field(description="What the verdict should have been.")
    context: str | None = Field(default=None, description="The prompt, when the text was a response.")
    source: Literal["user", "moderator"] = Field(default="user", description="Who gave the feedback.")
    event_id: str | None = Field(default=None, max_length=200, description="Client's own id for the event.")


class FeedbackOut(BaseModel):
    """An acknowledged (durably stored) feedback event."""

    id: int
    user: str
    should: Literal["allow", "block"]
    is_learned: bool = Field(description="True when the trust-region learner processed the event.")
    applied: bool = Field(description="True when learning moved the user's thresholds.")
    reason: str = Field(description="What the learner did, or why it did not run.")
    kl: float | None = Field(default=None, description="Policy KL from the global one after the update.")
    delta: float | None = Field(default=None, description="Trust-region bound in force.")
    bounds: dict[str, float] = Field(
        default_factory=dict,
        description="Loosening bounds this event widened or shrank (category -> new bound, nats).",
    )
    created_at: datetime


class DecisionOut(BaseModel):
    """One audit-log entry."""

    id: int
    request_id: str
    user: str | None
    created_at: datetime
    text: str | None = Field(description="The text (for an agent action: its JSON), or null when the tenant keeps hashes only.")
    text_sha256: str
    outcome: Outcome | ActionOutcome = Field(description="allow, warn, block or ask; for an agent action allow, confirm or block.")
    flagged: bool
    p_any: float
    scores: dict[str, float]
    risks: dict[str, float]
    thresholds: dict[str, dict[str, Any]] = Field(description="Per category: warn, block and their source.")
    model_version: str


class DecisionsPage(BaseModel):
    """A page of the audit log, newest first."""

    decisions: list[DecisionOut]
    next_before: int | None = Field(description="Pass as `before` for the next page; null at the end.")


class Health(BaseModel):
    """Liveness and readiness."""

    status: Literal["ok"]
    model_version: str
    database: Literal["ok"]
    learner: Literal["ok", "unavailable"] = Field(description="unavailable: feedback is stored, not learned.")


class ActionRequest(_In):
    """An agent's proposed tool call, for one user, with the steps that led to it."""

    action: dict[str, Any] | str = Field(
        description="{\"tool\": name, \"arguments\": {...}}, an OpenAI tool_calls item (arguments as a JSON string) "
        "or an MCP tools/call params object; a string is parsed as JSON."
    )
    trajectory: list[Any] | None = Field(
        default=None, max_length=500,
        description="Earlier steps, oldest first: actions in the same shapes and {\"observation\": text}.",
    )
    user: str | None = Field(default=None, pattern=USER_ID_PATTERN, description="A stored profile id (as in moderations).")
    user_profile: dict[str, Any] | None = Field(default=None, description="An inline UserProfile (not stored).")

    @model_validator(mode="after")
    def _check(self) -> ActionRequest:
        if self.user is not None and self.user_profile is not None:
            raise ValueError("give either user (a stored profile id) or user_profile (inline), not both")
        return self


class ActionResponse(ActionDecision):
    """The decision on the action (as ``Guard.check_action`` returns it) and its audit-log row."""

    id: str = Field(description="'act-<request id>'.")
    decision_id: int = Field(description="The audit-log row (GET /v1/decisions).")
    model_version: str
    policy: PolicyApplied
