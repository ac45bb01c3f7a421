"""Pydantic models of a taxonomy file (policy as data, validated at load)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Category", "Taxonomy"]

_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$")


class Category(BaseModel):
    """One harm category with its default thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable slash-path id, e.g. 'self-harm/intent'; never renamed once released.")
    name: str = Field(description="Human-readable name.")
    definition: str = Field(description="What content belongs to this category.")
    warn: float = Field(ge=0.0, le=1.0, description="Default warn threshold on the calibrated probability.")
    block: float = Field(ge=0.0, le=1.0, description="Default block threshold on the calibrated probability.")
    floor: bool = Field(default=False, description="If true, nothing may relax this category (safety floor).")
    is_attack: bool = Field(
        default=False,
        description="A prompt attack (jailbreak, injection) rather than harmful content: decided by its thresholds "
        "like any category, but reported as Decision.attack and kept out of p_any and flagged, which are about content.",
    )
    user_range: tuple[float, float] = Field(
        default=(0.05, 0.99),
        description="Lowest and highest threshold an explicit user setting may choose.",
    )
    learn_max_block: float = Field(
        default=0.9, ge=0.0, le=1.0,
        description="Loosest block threshold that learning from feedback may reach (the elastic trust region's hard "
        "cap); a category whose block is already higher cannot loosen by feedback. Beyond it takes an explicit "
        "setting, reviewed as a setting.",
    )
    derived_from: list[str] = Field(
        default_factory=list,
        description="For a category without its own trained head: its probability is the minimum of these categories' probabilities.",
    )
    mlcommons: list[str] = Field(default_factory=list, description="MLCommons AILuminate hazard codes.")
    openai: list[str] = Field(default_factory=list, description="OpenAI moderation category names.")
    guidance: str = Field(
        default="",
        description="Shown to every user when this category warns or blocks (a user's vulnerabilities may add more).",
    )

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID_PATTERN.match(value):
            raise ValueError(f"category id {value!r} must be lowercase words joined by '-' and '/'")
        return value

    @model_validator(mode="after")
    def _check_thresholds(self) -> "Category":
        if self.warn > self.block:
            raise ValueError(f"warn ({self.warn}) must be <= block ({self.block})")
        lo, hi = self.user_range
        if not 0.0 <= lo <= hi <= 1.0:
            raise ValueError(f"user_range {self.user_range} must satisfy 0 <= low <= high <= 1")
        if self.floor and hi > self.block:
            raise ValueError(
                f"a floor category's user_range high ({hi}) may not exceed its block threshold ({self.block})"
            )
        return self


class Taxonomy(BaseModel):
    """An ordered set of categories; column order of every score matrix follows ``ids``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(description="File format version.")
    name: str = Field(description="Name of this taxonomy.")
    categories: list[Category] = Field(min_length=1, description="The categories, in score-column order.")

    @model_validator(mode="after")
    def _check_unique(self) -> "Taxonomy":
        seen: set[str] = set()
        for cat in self.categories:
            if cat.id in seen:
                raise ValueError(f"duplicate category id {cat.id!r}")
            seen.add(cat.id)
        derived = {c.id for c in self.categories if c.derived_from}
        for cat in self.categories:
            for ref in cat.derived_from:
                if ref not in seen or ref in derived or ref == cat.id:
                    raise ValueError(
                        f"category {cat.id!r} derives from {ref!r}, which must be another, non-derived category of this file"
                    )
        return self

    def derived_indices(self) -> dict[int, list[int]]:
        """Column -> source columns, for categories scored as the minimum of others."""
        ids = self.ids
        return {ids.index(c.id): [ids.index(r) for r in c.derived_from] for c in self.categories if c.derived_from}

    @property
    def attack_ids(self) -> frozenset[str]:
        """Ids of the prompt-attack categories (``is_attack``)."""
        return frozenset(c.id for c in self.categories if c.is_attack)

    @property
    def ids(self) -> list[str]:
        """Category ids in column order."""
        return [c.id for c in self.categories]

    def get(self, category_id: str) -> Category:
        """The category with this id.

        Raises
        ------
        UnknownIdError
            If the id is not in this taxonomy.
        """
        from personaguard.errors import UnknownIdError

        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise UnknownIdError("category", category_id, known=self.ids)

    def index(self, category_id: str) -> int:
        """Column of this category in score matrices."""
        return self.ids.index(self.get(category_id).id)
