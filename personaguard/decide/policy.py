"""Decision policy as data: what a personal risk turns into, beyond the taxonomy's thresholds.

The packaged ``policy.yaml`` is the default; a tenant can bring its own. Today it holds one rule,
the constructive outcome: a block that only the user's own condition causes, for a legal adult
choice, becomes a warn with guidance (docs/personalization.md, "Constructive outcomes").
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from personaguard.errors import ConfigError
from personaguard.profile.profile import CategorySetting, CustomCategory
from personaguard.taxonomy.load import parse_yaml_model

__all__ = ["ConstructivePolicy", "DecisionPolicy", "check_policy_against", "decision_policy_from_text", "load_decision_policy"]


class ConstructivePolicy(BaseModel):
    """When a block caused only by the user's own condition becomes a warn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: Literal["warn", "block"] = Field(
        default="warn", description="Outcome of a self-regarding personal risk; 'block' turns the rule off.")
    groups: tuple[str, ...] = Field(
        default=("physical_health", "substance_use"),
        description="Vulnerability groups whose raised risk is the user's own choice.")
    exclude: tuple[str, ...] = Field(default=(), description="Vulnerability ids in those groups that keep block.")


class DecisionPolicy(BaseModel):
    """A policy file: ``version`` and the rules (see ``personaguard/decide/policy.yaml``).

    Examples
    --------
    >>> decision_policy_from_text("version: 1\\nconstructive: {outcome: block}").constructive.outcome
    'block'
    >>> load_decision_policy().constructive.groups
    ('physical_health', 'substance_use')
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = Field(description="File format version.")
    constructive: ConstructivePolicy = Field(default_factory=ConstructivePolicy,
                                             description="The constructive-outcome rule.")
    settings: dict[str, CategorySetting] = Field(
        default_factory=dict,
        description="Tenant-wide category settings (allow/warn/block or thresholds), under each user's own: a user's "
        "setting for a category wins; floors can only be made stricter, as for users.")
    custom_categories: list[CustomCategory] = Field(
        default_factory=list,
        description="Tenant-wide custom categories (a sentence plus examples), added to every user's own; a user's "
        "category of the same name wins.")


def check_policy_against(policy: DecisionPolicy, taxonomy: object) -> None:
    """Check a policy's tenant-wide settings and custom categories as a profile's would be.

    Raises
    ------
    UnknownIdError, FloorRelaxedError, ConfigError
        An unknown category, a loosened floor, a threshold outside its ``user_range``.
    """
    from personaguard.profile.profile import UserProfile
    from personaguard.taxonomy import Taxonomy

    if not isinstance(taxonomy, Taxonomy):
        raise TypeError(f"taxonomy must be a Taxonomy, got {type(taxonomy).__name__}")
    UserProfile(id="tenant-policy", settings=dict(policy.settings),
                custom_categories=list(policy.custom_categories)).check_against(taxonomy)


def decision_policy_from_text(text: str, *, source: str = "<text>") -> DecisionPolicy:
    """A policy from YAML or JSON text; raises ConfigError naming the field."""
    return parse_yaml_model(text, DecisionPolicy, source=source)


def load_decision_policy(path: str | os.PathLike[str] | None = None) -> DecisionPolicy:
    """The packaged policy, or the file at ``path``.

    Raises
    ------
    ConfigError
        If the file cannot be read or does not validate.
    """
    if path is None:
        text = resources.files("personaguard.decide").joinpath("policy.yaml").read_text(encoding="utf-8")
        return decision_policy_from_text(text, source="personaguard/decide/policy.yaml")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read policy file: {exc}", source=str(p)) from exc
    return decision_policy_from_text(text, source=str(p))
