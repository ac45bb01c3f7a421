"""The user profile: explicit settings, age band, vulnerabilities, custom categories.

Only ``id`` is required; ``UserProfile(id="u1")`` is the default user and gets the taxonomy's
global verdicts. Profiles round-trip through YAML and JSON. Checks that need the taxonomy
(ranges, floors) run when a taxonomy is at hand: in :meth:`UserProfile.check_against`, which
``Guard.check`` and the ``from_yaml``/``from_json`` constructors call, and at construction when
a taxonomy is passed in the validation context (``context={"taxonomy": taxonomy}``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from personaguard.errors import ConfigError, FloorRelaxedError, PersonaguardError, UnknownIdError
from personaguard.profile.claims import AgeBand, VulnerabilityClaim
from personaguard.profile.learned import LearnedState
from personaguard.profile.privacy_kinds import DataType, FlowSetting, PrivacyPersona, RecipientKind
from personaguard.taxonomy import Taxonomy

if TYPE_CHECKING:
    from personaguard.profile.parse import VulnerabilityParser
    from personaguard.profile.vulnerabilities import KnowledgeBase

__all__ = ["Action", "AgeBand", "CategorySetting", "VulnerabilityClaim", "CustomCategory", "UserProfile"]

T = TypeVar("T")

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


class Action(StrEnum):
    """A per-category shorthand: the most severe outcome this user wants for the category."""

    ALLOW = "allow"
    WARN = "warn"
    BLOCK = "block"


class CategorySetting(BaseModel):
    """A user's setting for one taxonomy category.

    ``action`` is a shorthand (allow: thresholds at the top of the taxonomy's ``user_range``;
    warn: never block, warn as usual; block: block from the default warn threshold). Explicit
    ``warn``/``block`` numbers override the value the action implies (see
    docs/personalization.md, "Precedence").
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Action | None = Field(default=None, description="allow, warn or block; None: keep the defaults.")
    warn: float | None = Field(default=None, ge=0.0, le=1.0, description="Explicit warn threshold.")
    block: float | None = Field(default=None, ge=0.0, le=1.0, description="Explicit block threshold.")

    @model_validator(mode="before")
    @classmethod
    def _accept_shorthand(cls, data: Any) -> Any:
        # `hate: block` in YAML is the same as `hate: {action: block}`.
        if isinstance(data, str):
            return {"action": data}
        return data

    @model_validator(mode="after")
    def _check_order(self) -> "CategorySetting":
        if self.action is None and self.warn is None and self.block is None:
            raise ValueError("a category setting needs an action (allow/warn/block) or warn/block thresholds")
        if self.warn is not None and self.block is not None and self.warn > self.block:
            raise ValueError(f"warn ({self.warn}) must be <= block ({self.block})")
        return self


class CustomCategory(BaseModel):
    """A user-defined category from one sentence and at least one example."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Slug; the category appears as 'custom:<name>'.")
    description: str = Field(min_length=1, description="One-sentence definition, e.g. 'no spoilers for Severance'.")
    examples: list[str] = Field(min_length=1, description="Example texts that belong to the category.")
    action: Action = Field(default=Action.BLOCK, description="Outcome when the category matches (warn or block).")
    threshold: float = Field(default=0.5, gt=0.0, lt=1.0, description="Risk at or above which the action applies.")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"custom category name {value!r} must be lowercase words joined by '-' or '_'")
        return value

    @field_validator("action")
    @classmethod
    def _check_action(cls, value: Action) -> Action:
        if value is Action.ALLOW:
            raise ValueError("a custom category's action must be warn or block (allow would make it a no-op)")
        return value

    @property
    def category_id(self) -> str:
        """Id used in decisions: ``custom:<name>``."""
        return f"custom:{self.name}"


class _DerivedCache(dict[str, tuple[Any, Any]]):
    """Values derived from a profile: never part of what the profile is.

    Two profiles with equal fields are equal whatever either has cached, and pickles and deep
    copies start with an empty cache (every entry can be rebuilt from the fields).
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _DerivedCache)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None

    def __deepcopy__(self, memo: dict[int, Any]) -> _DerivedCache:
        return _DerivedCache()

    def __reduce__(self) -> tuple[type[_DerivedCache], tuple[()]]:
        return (_DerivedCache, ())


class UserProfile(BaseModel):
    """Everything personaguard knows about one user.

    Parameters
    ----------
    id : str
        The user's id (the only required field).
    settings : dict of str to CategorySetting, default={}
        Per-category settings, keyed by taxonomy category id.
    age_band : AgeBand or None, default=None
    vulnerabilities : list of VulnerabilityClaim, default=[]
    self_description : str, default=""
    custom_categories : list of CustomCategory, default=[]
    allow_examples : list of str, default=[]
        Texts the user says are fine for them; near neighbours get lower risk (never for floors).
    learned : LearnedState, default=empty
        Threshold offsets learned from feedback (issue 4).
    answers : dict of str to bool, default={}
        The user's answers to the guard's questions, by vulnerability id: ``True`` makes the
        vulnerability certain (confidence 1), ``False`` rules it out, whatever was parsed.
    privacy : PrivacyPersona or None, default=None
        ``privacy-first``, ``balanced`` or ``utility-first``: how agent actions taken for this
        user are checked (``Guard.check_action``); None is ``balanced``.
    privacy_settings : dict of DataType to FlowSetting, default={}
        Per-data-type choices (``{"location": "block"}``) that override the persona.
    contacts : dict of str to RecipientKind, default={}
        Recipients the user knows, by address or name (``{"mike@harrisoncpa.com": "financial"}``):
        agent actions read them as that kind instead of guessing from the address.

    Examples
    --------
    >>> p = UserProfile.from_yaml('''
    ... id: u1
    ... settings: {harassment: allow, violence: {warn: 0.3, block: 0.6}}
    ... vulnerabilities: [{id: liver-disease}]
    ... ''')
    >>> p.settings["harassment"].action.value, p.vulnerabilities[0].confidence
    ('allow', 1.0)
    >>> UserProfile.from_json(p.to_json()) == p
    True
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="User id.")
    settings: dict[str, CategorySetting] = Field(default_factory=dict, description="Per-category settings.")
    age_band: AgeBand | None = Field(default=None, description="child, teen, adult or senior.")
    vulnerabilities: list[VulnerabilityClaim] = Field(default_factory=list, description="Vulnerabilities, with confidence.")
    self_description: str = Field(default="", description="Free text the user wrote about themselves.")
    custom_categories: list[CustomCategory] = Field(default_factory=list, description="User-defined categories.")
    allow_examples: list[str] = Field(default_factory=list, description="Texts the user says are fine for them.")
    learned: LearnedState = Field(default_factory=LearnedState, description="Learned threshold offsets.")
    answers: dict[str, bool] = Field(
        default_factory=dict, description="Answers to the guard's questions: vulnerability id -> has it."
    )
    privacy: PrivacyPersona | None = Field(
        default=None, description="Privacy persona for agent actions: privacy-first, balanced or utility-first."
    )
    privacy_settings: dict[DataType, FlowSetting] = Field(
        default_factory=dict, description="Per-data-type agent-action settings (allow/confirm/block); override the persona."
    )
    contacts: dict[str, RecipientKind] = Field(
        default_factory=dict, description="Known recipients by address or name, and their kind (agent actions)."
    )

    # Values derived from this profile (thresholds in force, embeddings of its own examples), kept
    # on the object itself so nothing per-user outlives it; keyed by what they were derived from,
    # so edits invalidate them.
    _derived: _DerivedCache = PrivateAttr(default_factory=_DerivedCache)

    def derived(self, name: str, key: Any, build: Callable[[], T]) -> T:
        """A value derived from this profile, built once per ``key`` and cached on the object."""
        # Straight from pydantic's private-attribute dict: ``self._derived`` goes through
        # ``__getattr__`` and costs more than the rest of a cache hit.
        cache: _DerivedCache = self.__pydantic_private__["_derived"]  # type: ignore[index]
        hit = cache.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]  # type: ignore[no-any-return]
        value = build()
        cache[name] = (key, value)
        return value

    def content_key(self) -> tuple[Any, ...]:
        """Every field that decides this profile's verdicts, as one comparable value.

        Values derived from the profile (thresholds in force, similarity matrices) are cached on
        it under this key, so any edit, in-place edits of its lists and dicts included, rebuilds
        them. ``id``, ``self_description``, evidence and the feedback log do not change a verdict.
        """
        # Lists, not generators, inside tuple(): this runs on every personalized check.
        return (
            tuple([(k, s.action, s.warn, s.block) for k, s in self.settings.items()]),
            self.age_band,
            tuple([(v.id, v.confidence) for v in self.vulnerabilities]),
            tuple([(c.name, c.description, tuple(c.examples), c.action, c.threshold) for c in self.custom_categories]),
            tuple(self.allow_examples),
            tuple(self.learned.offsets.items()),
            tuple(self.answers.items()),
        )

    @model_validator(mode="after")
    def _check_unique_and_context(self, info: ValidationInfo) -> "UserProfile":
        ids = [v.id for v in self.vulnerabilities]
        if len(set(ids)) != len(ids):
            raise ValueError(f"vulnerabilities lists an id twice: {ids}")
        names = [c.name for c in self.custom_categories]
        if len(set(names)) != len(names):
            raise ValueError(f"custom_categories lists a name twice: {names}")
        taxonomy = (info.context or {}).get("taxonomy") if info is not None else None
        if isinstance(taxonomy, Taxonomy):
            self.check_against(taxonomy)
        return self

    # -- checks that need the taxonomy / knowledge base -----------------------------------------
    def check_against(self, taxonomy: Taxonomy, knowledge_base: "KnowledgeBase | None" = None) -> None:
        """Check ids, ranges and floors against a taxonomy (and knowledge base).

        Raises
        ------
        UnknownIdError
            A setting names an unknown category, or a vulnerability id is not in the knowledge base.
        FloorRelaxedError
            A setting would loosen a floor category.
        ConfigError
            A threshold lies outside the category's ``user_range``.
        """
        for cid, setting in self.settings.items():
            cat = taxonomy.get(cid)
            lo, hi = cat.user_range
            if cat.floor and setting.action in (Action.ALLOW, Action.WARN):
                raise FloorRelaxedError(
                    f"setting {cid!r} to {setting.action.value!r} would relax a safety floor; floor categories "
                    "can only be made stricter (action: block, or thresholds at or below the defaults)",
                    loc=("settings", cid, "action"),
                )
            for name, value, default in (("warn", setting.warn, cat.warn), ("block", setting.block, cat.block)):
                if value is None:
                    continue
                if cat.floor and value > default:
                    raise FloorRelaxedError(
                        f"{name} threshold {value} for floor category {cid!r} is above its default {default}; "
                        "floors can only be made stricter",
                        loc=("settings", cid, name),
                    )
                if not lo <= value <= hi:
                    raise ConfigError(
                        f"{name} threshold {value} for {cid!r} is outside its user_range [{lo}, {hi}]",
                        loc=("settings", cid, name),
                    )
        for cid in self.learned.offsets:
            taxonomy.get(cid)
        if knowledge_base is not None:
            known = set(knowledge_base.ids)
            for vid in [*(v.id for v in self.vulnerabilities), *self.answers]:
                if vid not in known:
                    raise UnknownIdError("vulnerability", vid, known=sorted(known))

    def answer(self, vulnerability_id: str, has_it: bool) -> "UserProfile":
        """This profile with the user's answer to a question (``Decision.question``) remembered.

        ``True`` makes the vulnerability certain, ``False`` rules it out; the answer outlives a
        new parse of the self-description. Returns a new profile; this one is unchanged.

        Examples
        --------
        >>> p = UserProfile(id="u", vulnerabilities=[{"id": "minor", "confidence": 0.68}])
        >>> p.answer("minor", False).answers, [v.id for v in p.answer("minor", False).effective_claims()]
        ({'minor': False}, [])
        >>> p.answer("minor", True).effective_claims()[0].confidence
        1.0
        """
        if not isinstance(has_it, bool):
            raise TypeError(f"has_it must be bool, got {type(has_it).__name__}")
        return self.model_copy(update={"answers": {**self.answers, vulnerability_id: has_it}}, deep=True)

    def effective_claims(self, implied: Sequence[VulnerabilityClaim] = ()) -> list[VulnerabilityClaim]:
        """The vulnerabilities after the user's answers: a yes makes a claim certain, a no removes it.

        ``implied`` are claims that follow from other fields (the age band); they join the list
        where no listed claim or answer already speaks for their id, and a no removes them too.
        """
        claims = [
            c if self.answers.get(c.id) is not True else c.model_copy(update={"confidence": 1.0})
            for c in self.vulnerabilities if self.answers.get(c.id) is not False
        ]
        have = {c.id for c in claims}
        claims += [VulnerabilityClaim(id=vid, evidence="answered yes") for vid, yes in self.answers.items()
                   if yes and vid not in have]
        have.update(vid for vid, yes in self.answers.items() if yes)
        claims += [c for c in implied if c.id not in have and self.answers.get(c.id) is not False]
        return claims

    # -- constructors and serialisation ---------------------------------------------------------
    @classmethod
    def from_yaml(cls, text: str, *, taxonomy: Taxonomy | None = None, source: str = "<profile>") -> "UserProfile":
        """Parse a profile from YAML (JSON is valid YAML) and check it against ``taxonomy``.

        ``taxonomy=None`` checks against the packaged default taxonomy.

        Raises
        ------
        ConfigError
            Malformed text or a bad field (message names the field path).
        FloorRelaxedError, UnknownIdError
            As in :meth:`check_against`.
        """
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"not valid YAML/JSON: {exc}", source=source) from exc
        return cls._from_data(data, taxonomy=taxonomy, source=source)

    @classmethod
    def from_path(cls, path: "str | os.PathLike[str]", *, taxonomy: Taxonomy | None = None) -> "UserProfile":
        """Read a profile file (``.json`` is parsed as JSON, anything else as YAML).

        Raises
        ------
        ConfigError
            If the file cannot be read or does not validate (message names the file and field).
        """
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read profile file: {exc}", source=str(p)) from exc
        if p.suffix.lower() == ".json":
            return cls.from_json(text, taxonomy=taxonomy, source=str(p))
        return cls.from_yaml(text, taxonomy=taxonomy, source=str(p))

    @classmethod
    def from_json(cls, text: str, *, taxonomy: Taxonomy | None = None, source: str = "<profile>") -> "UserProfile":
        """Parse a profile from JSON; see :meth:`from_yaml`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not valid JSON: {exc}", source=source) from exc
        return cls._from_data(data, taxonomy=taxonomy, source=source)

    @classmethod
    def _from_data(cls, data: Any, *, taxonomy: Taxonomy | None, source: str) -> "UserProfile":
        if not isinstance(data, dict):
            raise ConfigError(f"expected a mapping at the top level, got {type(data).__name__}", source=source)
        if taxonomy is None:
            from personaguard.taxonomy import load_taxonomy

            taxonomy = load_taxonomy()
        try:
            return cls.model_validate(data, context={"taxonomy": taxonomy})
        except ValidationError as exc:
            err = exc.errors()[0]
            cause = (err.get("ctx") or {}).get("error")
            if isinstance(cause, PersonaguardError):
                cause.message = f"{source}: {cause.message}"
                raise cause from exc
            raise ConfigError(
                f"{err['msg']} ({len(exc.errors())} problem(s) in all)", source=source, loc=tuple(err["loc"])
            ) from exc

    def to_yaml(self) -> str:
        """YAML text that :meth:`from_yaml` reads back to an equal profile."""
        text: str = yaml.safe_dump(self.model_dump(mode="json", exclude_defaults=True), sort_keys=False, allow_unicode=True)
        return text

    def to_json(self) -> str:
        """JSON text that :meth:`from_json` reads back to an equal profile."""
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def from_text(
        cls, text: str, *, id: str = "anonymous", parser: "VulnerabilityParser | None" = None
    ) -> "UserProfile":
        """A profile whose vulnerabilities, age band and privacy choices are parsed from a self-description.

        Parameters
        ----------
        text : str
            What the user wrote about themselves, e.g. ``"I have hepatitis."``.
        id : str, default="anonymous"
        parser : VulnerabilityParser or None, default=None
            Reuse a parser (it holds the encoder and the knowledge-base embeddings); None takes the
            process's shared default parser (built once, on the first call, in about a second).

        Examples
        --------
        >>> p = UserProfile.from_text("I have hepatitis.")
        >>> [v.id for v in p.vulnerabilities], p.vulnerabilities[0].evidence
        (['liver-disease'], 'I have hepatitis.')
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        if parser is None:
            from personaguard.profile.parse import default_parser

            parser = default_parser()
        from personaguard.profile.privacy import parse_privacy

        parsed = parser.parse(text)
        privacy = parse_privacy(text)
        return cls(id=id, self_description=text, vulnerabilities=list(parsed.vulnerabilities), age_band=parsed.age_band,
                   privacy=privacy.persona, privacy_settings=dict(privacy.settings))
