"""The tool catalog (``tools.yaml``): which arguments of a tool name recipients, content and scopes.

An unknown tool is matched by the words of its name (``infer`` rules), and failing that gets the
catch-all spec: every string argument is content, every address-like value a recipient, the
channel unknown-outward (checked like a form). Unknown never means allowed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from personaguard.actions.kinds import Channel, DataType
from personaguard.taxonomy.load import load_yaml_model

__all__ = ["InferRule", "ToolCatalog", "ToolSpec", "load_tool_catalog"]

_WORD = re.compile(r"[a-z0-9]+")


class ToolSpec(BaseModel):
    """How one tool moves information (one entry of ``tools.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    aliases: list[str] = Field(default_factory=list)
    channel: Channel
    recipients: list[str] = Field(default_factory=list, description="Argument names that hold recipients.")
    content: list[str] = Field(default_factory=list, description="Argument names whose text is sent; '*' is all.")
    attachments: list[str] = Field(default_factory=list, description="Argument names that name files sent along.")
    scopes: list[str] = Field(default_factory=list, description="Argument names of permission or setting scopes.")
    public_when: dict[str, list[str]] = Field(default_factory=dict, description="Argument values meaning 'public'.")
    default_public: bool = Field(default=False, description="The audience is the public unless narrowed.")
    inherent: list[DataType] = Field(default_factory=list, description="Data the action carries by its nature.")
    irreversible: bool = True
    owned_content: bool = Field(default=False, description=(
        "The content describes the user's own affairs by construction (a calendar entry, a form, a "
        "payment memo), so topic words need no 'I' or 'my' to count."))
    inferred: bool = Field(default=False, description="True when matched by name words, not listed.")


class InferRule(BaseModel):
    """Unknown tool whose name holds one of ``words``: treated like the listed tool ``like``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    words: list[str] = Field(min_length=1)
    like: str


class ToolCatalog(BaseModel):
    """Every known tool, by name and alias, plus the rules for unknown ones.

    Examples
    --------
    >>> cat = load_tool_catalog()
    >>> cat.resolve("gmail.send").channel.value, cat.resolve("acme_tweet_now").channel.value
    ('email', 'public_post')
    >>> cat.resolve("frobnicate").name
    'unknown'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    _index: dict[str, ToolSpec] = PrivateAttr()

    tools: dict[str, ToolSpec]
    infer: list[InferRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> ToolCatalog:
        seen: dict[str, str] = {}
        for name, spec in self.tools.items():
            for key in (name, *spec.aliases):
                k = _norm(key)
                if k in seen and seen[k] != name:
                    raise ValueError(f"tool name {key!r} is listed under both {seen[k]!r} and {name!r}")
                seen[k] = name
        for rule in self.infer:
            if rule.like not in self.tools:
                raise ValueError(f"infer rule 'like: {rule.like}' names no tool of the catalog")
        return self

    def model_post_init(self, context: object, /) -> None:
        index: dict[str, ToolSpec] = {}
        for name, spec in self.tools.items():
            named = spec.model_copy(update={"name": name})
            for key in (name, *spec.aliases):
                index[_norm(key)] = named
        self._index = index

    def resolve(self, tool: str) -> ToolSpec:
        """The spec for a tool name: listed, inferred from its words, or the catch-all."""
        index: dict[str, ToolSpec] = self._index
        hit = index.get(_norm(tool))
        if hit is not None:
            return hit
        words = set(_WORD.findall(_split_camel(tool).lower()))
        for rule in self.infer:
            if words & set(rule.words):
                base = index[_norm(rule.like)]
                # Its argument names are unknown too: every string is read as content.
                content = [*base.content, "*"] if base.channel.is_outward else base.content
                return base.model_copy(update={"name": tool, "aliases": [], "inferred": True, "content": content})
        return ToolSpec(name="unknown", channel=Channel.FORM, content=["*"], inferred=True, owned_content=True)

    def state_of(self, spec: ToolSpec) -> str:
        """The trajectory-chain state name of a step: its channel, or ``draft`` for a local step with recipients."""
        return "draft" if spec.channel is Channel.LOCAL and spec.recipients else spec.channel.value


def _split_camel(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)


def _norm(name: str) -> str:
    return "_".join(_WORD.findall(_split_camel(name).lower()))


@lru_cache(maxsize=4)
def load_tool_catalog(path: str | None = None) -> ToolCatalog:
    """The packaged catalog, or one from a YAML file; validated whole at load.

    Raises
    ------
    ConfigError
        Naming the file and field of the first problem.
    """
    return load_yaml_model(ToolCatalog, package="personaguard.actions", name="tools.yaml", path=path)
