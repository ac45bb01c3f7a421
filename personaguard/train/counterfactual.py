"""Examples written for this project, expanded from data files of frames crossed with topics.

Why: the shared corpora leave two gaps. Harmful-request corpora teach the heads the *topics* of
harm while the benign corpora rarely touch them, so every question on a harm topic looked
harmful; ``counterfactual_safe.yaml`` crosses safe framings ("What are the legal penalties for
{t}?") with harm topics ("arson"), all benign. And their threats are aimed at groups, so direct
threats at a person were allowed; ``written_threats.yaml`` holds those (and figurative
counterweights). See ``docs/model-card.md``.
"""

from __future__ import annotations

import itertools
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_validator

from personaguard.taxonomy.load import parse_yaml_model

__all__ = ["FramingGroup", "CounterfactualFile", "load_counterfactuals", "counterfactual_texts", "written_examples"]

_PACKAGED = "counterfactual_safe.yaml"


class FramingGroup(BaseModel):
    """Safe framings crossed with the harm topics they fit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=1, description="What the group covers.")
    categories: list[str] = Field(
        default_factory=list, description="Taxonomy categories its texts violate; empty for a benign group."
    )
    frames: list[str] = Field(min_length=1, description="Templates with exactly one '{t}' slot.")
    topics: list[str] = Field(min_length=1, description="Harm topics filled into the slot.")

    @field_validator("frames")
    @classmethod
    def _one_slot(cls, value: list[str]) -> list[str]:
        for f in value:
            if f.count("{t}") != 1 or f.replace("{t}", "").count("{") or f.count("}") != 1:
                raise ValueError(f"frame {f!r} must hold exactly one '{{t}}' slot and no other braces")
        return value


class CounterfactualFile(BaseModel):
    """The whole data file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(description="File format version.")
    groups: dict[str, FramingGroup] = Field(min_length=1, description="Framing groups, by name.")


def load_counterfactuals(text: str | None = None, *, source: str = _PACKAGED) -> CounterfactualFile:
    """Parse and validate a packaged file (``source``, by default the safe framings) or ``text``.

    Raises
    ------
    ConfigError
        Naming the file and the field path of the first problem.
    """
    if text is None:
        text = resources.files("personaguard.train").joinpath(source).read_text(encoding="utf-8")
    return parse_yaml_model(text, CounterfactualFile, source=source)


def counterfactual_texts(data: CounterfactualFile | None = None) -> list[str]:
    """Every frame of every group filled with every topic of its group, in file order.

    Examples
    --------
    >>> f = load_counterfactuals('''
    ... version: 1
    ... groups:
    ...   law: {description: d, frames: ["What are the penalties for {t}?"], topics: [arson, fraud]}
    ... ''')
    >>> counterfactual_texts(f)
    ['What are the penalties for arson?', 'What are the penalties for fraud?']
    """
    return [text for text, _ in written_examples(data if data is not None else load_counterfactuals())]


def written_examples(data: CounterfactualFile) -> list[tuple[str, tuple[str, ...]]]:
    """(text, categories it violates) for every frame x topic of every group, in file order."""
    return [
        (frame.replace("{t}", topic), tuple(group.categories))
        for group in data.groups.values()
        for frame, topic in itertools.product(group.frames, group.topics)
    ]
