"""Counterfactual safe framings: benign prompts about harm topics, expanded from a data file.

Why: harmful-request corpora teach the heads the *topics* of harm, and the benign corpora rarely
touch those topics, so every question on a harm topic looked harmful (over-refusal). The file
``counterfactual_safe.yaml`` crosses safe framings ("What are the legal penalties for {t}?") with
harm topics ("arson"); every text is a benign prompt. See ``docs/model-card.md``.
"""

from __future__ import annotations

import itertools
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_validator

from personaguard.taxonomy.load import parse_yaml_model

__all__ = ["FramingGroup", "CounterfactualFile", "load_counterfactuals", "counterfactual_texts"]

_PACKAGED = "counterfactual_safe.yaml"


class FramingGroup(BaseModel):
    """Safe framings crossed with the harm topics they fit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=1, description="What the group covers.")
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
    """Parse and validate the packaged file (or ``text``).

    Raises
    ------
    ConfigError
        Naming the file and the field path of the first problem.
    """
    if text is None:
        text = resources.files("personaguard.train").joinpath(_PACKAGED).read_text(encoding="utf-8")
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
    data = data if data is not None else load_counterfactuals()
    return [
        frame.replace("{t}", topic)
        for group in data.groups.values()
        for frame, topic in itertools.product(group.frames, group.topics)
    ]
