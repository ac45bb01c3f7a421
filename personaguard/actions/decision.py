"""What ``Guard.check_action`` returns: the outcome, each flow's verdict, and why."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from personaguard.actions.kinds import ActionOutcome, Channel, DataType, PrivacyPersona, RecipientKind

__all__ = ["ActionDecision", "ContentVerdict", "FlowVerdict", "TrajectoryRisk"]


class FlowVerdict(BaseModel):
    """One information flow of the action and what was decided for it."""

    model_config = ConfigDict(frozen=True)

    data_type: DataType
    subject: str = Field(description="Whose data: self, third_party or child.")
    recipient: str = Field(description="As the action named it (address, name, 'public').")
    recipient_kind: RecipientKind
    channel: Channel
    evidence: str = Field(description="The words that show the data (secrets masked).")
    source: str = Field(description="The argument the data came from.")
    strength: float = Field(ge=0.0, le=1.0)
    norm_risk: float = Field(ge=0.0, le=1.0)
    risk: float = Field(ge=0.0, le=1.0)
    outcome: ActionOutcome
    rule: str = Field(description="The norm, purpose rule, setting, persona threshold or floor that decided.")


class ContentVerdict(BaseModel):
    """The text guard's verdict on the text the action sends (a harmful post is caught here)."""

    model_config = ConfigDict(frozen=True)

    outcome: ActionOutcome
    text_outcome: str = Field(description="The strictest content-category outcome from Guard.check: allow, warn, ask or block.")
    categories: list[str] = Field(default_factory=list, description="Content categories at or above warn (prompt-attack categories left out).")
    source: str = ""


class TrajectoryRisk(BaseModel):
    """P(a leak within ``horizon`` more steps) from the state this step leaves the agent in."""

    model_config = ConfigDict(frozen=True)

    probability: float = Field(ge=0.0, le=1.0)
    horizon: int
    state: str = Field(description="'<channel>|<tainted 0/1>' after this step.")
    tainted_by: list[DataType] = Field(default_factory=list, description="Personal data seen earlier in the trajectory.")


class ActionDecision(BaseModel):
    """The verdict on one proposed agent action, for this user.

    Attributes
    ----------
    outcome : ActionOutcome
        ``allow``, ``confirm`` (ask the user first: see ``question``) or ``block``.
    explanation : str
        Names the data, the recipient and the rule or setting that decided.
    question : str or None
        What to show the user when ``outcome`` is ``confirm``.
    """

    model_config = ConfigDict(frozen=True)

    outcome: ActionOutcome
    explanation: str
    question: str | None = None
    tool: str
    tool_known: bool = Field(description="False when the tool was matched by its name's words or not at all.")
    channel: Channel
    irreversible: bool
    persona: PrivacyPersona
    flows: list[FlowVerdict] = Field(default_factory=list)
    content: ContentVerdict | None = None
    trajectory: TrajectoryRisk | None = None

    @property
    def flagged(self) -> bool:
        """True unless the action is allowed as proposed."""
        return self.outcome is not ActionOutcome.ALLOW
