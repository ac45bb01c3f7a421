"""Contextual-integrity norms (``norms.yaml``): the risk of a flow, persona thresholds and floors.

A flow is (data type, whose, recipient kind, channel). Its norm risk comes from the table, or from
a purpose rule when the action's words show a purpose that makes the flow an expected one
(lab results to the clinic for a follow-up). Risk = min(1, (norm + subject bump) x strength).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from personaguard.actions.kinds import ActionOutcome, DataType, PrivacyPersona, RecipientKind
from personaguard.taxonomy.load import load_yaml_model

__all__ = ["Floor", "NormBook", "PersonaThresholds", "PurposeRule", "load_norms"]


class PersonaThresholds(BaseModel):
    """Flow risk at which a persona asks first (``confirm``) and refuses (``block``; None: risk alone never blocks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    confirm: float = Field(gt=0.0, le=1.0)
    block: float | None = Field(default=None, gt=0.0, le=1.0)
    ahead: float = Field(default=0.3, ge=0.0, le=1.0, description=(
        "P(leak within the horizon) at which a reversible step (a draft) that would leak if sent is "
        "confirmed before the irreversible step."))

    @model_validator(mode="after")
    def _order(self) -> PersonaThresholds:
        if self.block is not None and self.confirm > self.block:
            raise ValueError(f"confirm ({self.confirm}) must be <= block ({self.block})")
        return self


class PurposeRule(BaseModel):
    """When ``purpose`` holds, flows of ``data`` to ``recipients`` have norm risk ``risk``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: DataType
    recipients: list[RecipientKind] = Field(min_length=1)
    purpose: str
    risk: float = Field(ge=0.0, le=1.0)


class Floor(BaseModel):
    """A least outcome for strong flows of ``data`` to ``recipients``; nothing relaxes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: list[DataType] = Field(min_length=1)
    recipients: list[RecipientKind] = Field(min_length=1)
    min_strength: float = Field(default=0.0, ge=0.0, le=1.0)
    outcome: ActionOutcome

    def describe(self) -> str:
        """The floor in words, for explanations."""
        return (f"floor: {'/'.join(d.value for d in self.data)} to {'/'.join(r.value for r in self.recipients)} "
                f"is at least {self.outcome.value}")


class NormBook(BaseModel):
    """The whole of ``norms.yaml``, validated at load.

    Examples
    --------
    >>> book = load_norms()
    >>> book.norm_risk(DataType.HEALTH, RecipientKind.HEALTHCARE, set())
    (0.05, 'norm: health to healthcare')
    >>> book.norm_risk(DataType.HEALTH, RecipientKind.EMPLOYER, {"sick_leave"})
    (0.2, 'purpose sick_leave: health to employer')
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    _purposes: dict[str, re.Pattern[str]] = PrivateAttr()

    version: int = 1
    personas: dict[PrivacyPersona, PersonaThresholds]
    subject_bump: dict[str, float] = Field(default_factory=dict)
    norms: dict[DataType, dict[str, float]]
    purposes: dict[str, str] = Field(default_factory=dict)
    rules: list[PurposeRule] = Field(default_factory=list)
    floors: list[Floor] = Field(default_factory=list)

    @field_validator("purposes")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"purpose {name!r}: not a valid regex: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _complete(self) -> NormBook:
        missing = [p.value for p in PrivacyPersona if p not in self.personas]
        if missing:
            raise ValueError(f"personas lacks {missing}")
        for dt in DataType:
            row = self.norms.get(dt)
            if row is None or "default" not in row:
                raise ValueError(f"norms needs a row for {dt.value!r} with a 'default' risk")
            kinds = {k.value for k in RecipientKind} | {"default"}
            bad = sorted(set(row) - kinds)
            if bad:
                raise ValueError(f"norms.{dt.value}: unknown recipient kinds {bad}; known: {sorted(kinds)}")
        for rule in self.rules:
            if rule.purpose not in self.purposes:
                raise ValueError(f"rule for {rule.data.value} names purpose {rule.purpose!r}, not defined in purposes")
        return self

    def model_post_init(self, context: object, /) -> None:
        compiled = {name: re.compile(p, re.IGNORECASE) for name, p in self.purposes.items()}
        self._purposes = compiled

    def purposes_in(self, text: str) -> set[str]:
        """Purposes the action's words show."""
        table: dict[str, re.Pattern[str]] = self._purposes
        return {name for name, rx in table.items() if rx.search(text)}

    def norm_risk(self, data: DataType, recipient: RecipientKind, purposes: set[str]) -> tuple[float, str]:
        """The norm risk of one flow and the rule that set it (lowest purpose rule, else the table)."""
        row = self.norms[data]
        risk = row.get(recipient.value, row["default"])
        why = f"norm: {data.value} to {recipient.value}"
        for rule in self.rules:
            if rule.data is data and recipient in rule.recipients and rule.purpose in purposes and rule.risk < risk:
                risk, why = rule.risk, f"purpose {rule.purpose}: {data.value} to {recipient.value}"
        return risk, why

    def floor_for(self, data: DataType, recipient: RecipientKind, strength: float) -> Floor | None:
        """The strictest floor that holds for the flow, if any."""
        hits = [f for f in self.floors if data in f.data and recipient in f.recipients and strength >= f.min_strength]
        return max(hits, key=lambda f: f.outcome.severity, default=None)


@lru_cache(maxsize=4)
def load_norms(path: str | None = None) -> NormBook:
    """The packaged norms, or norms from a YAML file; validated whole at load.

    Raises
    ------
    ConfigError
        Naming the file and field of the first problem.
    """
    return load_yaml_model(NormBook, package="personaguard.actions", name="norms.yaml", path=path)
