"""Outcomes and the decision object every check returns."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Outcome", "ThresholdSource", "CategoryVerdict", "UserFactor", "Question", "Decision", "SEVERITY", "most_severe",
]


class Outcome(StrEnum):
    """What to do with the content."""

    ALLOW = "allow"
    WARN = "warn"
    BLOCK = "block"
    ASK = "ask"


#: Precedence when categories disagree: the most severe wins (ask sits between warn and block:
#: we ask only when the answer could move the verdict to block).
SEVERITY: dict[Outcome, int] = {Outcome.ALLOW: 0, Outcome.WARN: 1, Outcome.ASK: 2, Outcome.BLOCK: 3}

#: Outcomes from the most severe down (``SEVERITY``).
_BY_SEVERITY = sorted(SEVERITY, key=SEVERITY.__getitem__, reverse=True)


def most_severe(outcomes: list[Outcome]) -> Outcome:
    """The most severe of ``outcomes`` (ALLOW when empty): membership tests, not a keyed max.

    >>> most_severe([Outcome.WARN, Outcome.ALLOW, Outcome.WARN]).value, most_severe([]).value
    ('warn', 'allow')
    """
    return next((o for o in _BY_SEVERITY if o in outcomes), Outcome.ALLOW)


class ThresholdSource(StrEnum):
    """Where a threshold in force came from."""

    TAXONOMY = "taxonomy"
    USER = "user"
    AGE_BAND = "age_band"
    LEARNED = "learned"
    FLOOR = "floor"


class CategoryVerdict(BaseModel):
    """One category's contribution to a decision."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Taxonomy category id (or custom:<name>).")
    p: float = Field(ge=0.0, le=1.0, description="Calibrated probability from the general scorer.")
    r: float = Field(ge=0.0, le=1.0, description="Personalized risk for this user (equals p without a user).")
    warn: float = Field(ge=0.0, le=1.0, description="Warn threshold in force.")
    block: float = Field(ge=0.0, le=1.0, description="Block threshold in force.")
    source: ThresholdSource = Field(description="Where the thresholds in force came from.")
    outcome: Outcome = Field(description="This category's own outcome.")
    is_floor: bool = Field(default=False, description="True for categories nothing may relax.")
    is_own_choice: bool = Field(
        default=False,
        description="True when the decision policy made this category a warn, not a block: only the user's own "
        "condition raised its risk, for a legal adult choice (the guidance says what to watch for).",
    )
    without_learning: Outcome | None = Field(
        default=None,
        description="This category's outcome with the thresholds before learned offsets, when different: what the "
        "user taught by feedback decided this verdict.",
    )


class UserFactor(BaseModel):
    """A fact about the user that changed the risk of a category."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="'vulnerability', 'custom_category', 'allow_example', 'age_band' or 'learned'.")
    id: str = Field(description="Id of the vulnerability, custom category, etc.")
    category: str = Field(description="Category whose risk it changed.")
    q: float = Field(ge=0.0, le=1.0, description="Strength of the match for this content.")
    detail: str = Field(default="", description="Readable description, e.g. the contraindicated topic.")


class Question(BaseModel):
    """The single question worth asking the user before deciding (value of information)."""

    model_config = ConfigDict(frozen=True)

    attribute: str = Field(description="Profile attribute the answer would set, e.g. 'vulnerability:pregnancy'.")
    text: str = Field(description="The question to show the user.")
    value_of_information: float = Field(ge=0.0, description="Expected loss avoided by asking.")


class Decision(BaseModel):
    """The verdict on one text, for one user.

    ``scores`` are the general calibrated probabilities; ``risks`` are the same after
    personalization. ``outcome`` never depends on anything not listed in ``categories``,
    ``user_factors`` and ``question``.
    """

    model_config = ConfigDict(frozen=True)

    outcome: Outcome = Field(description="allow, warn, block or ask.")
    flagged: bool = Field(description="A content category (not a prompt attack) warns, blocks or asks.")
    p_any: float = Field(ge=0.0, le=1.0,
                         description="Calibrated probability that any content category is violated (attacks excluded).")
    scores: dict[str, float] = Field(description="Calibrated probability per taxonomy category.")
    risks: dict[str, float] = Field(default_factory=dict, description="Personalized risk per category (and custom ones).")
    categories: list[CategoryVerdict] = Field(default_factory=list, description="Top categories, most severe first.")
    user_factors: list[UserFactor] = Field(default_factory=list, description="User facts that changed a risk.")
    guidance: list[str] = Field(default_factory=list, description="Guidance texts to show with a warn.")
    question: Question | None = Field(default=None, description="Set when outcome is ask.")
    explanation: str = Field(description="Readable account of the verdict.")
    user_id: str | None = Field(default=None, description="Profile the verdict was made for.")
    context_scores: dict[str, float] | None = Field(
        default=None, description="Scores of the prompt, when the text was a response checked with its prompt."
    )
    normalization: list[str] = Field(default_factory=list, description="Normalization steps that changed the text.")
    n_windows: int = Field(default=1, ge=1, description="Distinct windows (whole-text tiles and sentences) the text was scored over.")
    model_version: str = Field(description="Scorer artifact version.")
    attack: float = Field(default=0.0, ge=0.0, le=1.0,
                          description="Probability that the text is a prompt attack (jailbreak, injection).")
    is_attack: bool = Field(default=False, description="The attack category warns or blocks (it counts in outcome).")
    amplification: dict[str, float] | None = Field(
        default=None,
        description="For Guard.check_response: per content category, how much the response adds to the risk its "
        "prompt already carried for this user, max(0, r(response) - r(prompt)).",
    )
    input_types: dict[str, list[str]] | None = Field(
        default=None,
        description="For a check of several parts (Guard.check_parts): per category, the input types its score "
        "covers ('text', 'image'; the image model speaks to 'sexual' only).",
    )
