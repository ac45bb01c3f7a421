"""Classify a flow's recipient (an address, a name, a handle, an app) into a :class:`RecipientKind`.

Rules are regexes in ``recipients.yaml``, tried in file order; the first kind that matches wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from personaguard.actions.kinds import RecipientKind
from personaguard.taxonomy.load import load_yaml_model

__all__ = ["RecipientRules", "load_recipient_rules"]

_EMAIL = re.compile(r"^[\w.+-]+@([\w-]+\.[\w.-]+)$")
_URL = re.compile(r"^(?:https?://)?(?:www\.)?((?:[\w-]+\.)+[a-z]{2,})(?:[/:?#].*)?$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d ().-]{7,}$")
_NAME = re.compile(r"^[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}$")


class RecipientRules(BaseModel):
    """Regexes by recipient kind, plus the mail domains that mean 'one person'.

    Examples
    --------
    >>> rules = load_recipient_rules()
    >>> [rules.classify(r).value for r in ["dr.lee@cityclinic.org", "public", "Mom", "jo@gmail.com", "x@acme-data.io"]]
    ['healthcare', 'public', 'family', 'contact', 'unknown']
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    _compiled: list[tuple[RecipientKind, re.Pattern[str]]] = PrivateAttr()

    kinds: dict[RecipientKind, str]
    domain_words: dict[RecipientKind, list[str]] = Field(default_factory=dict)
    personal_domains: list[str] = Field(default_factory=list)

    @field_validator("kinds")
    @classmethod
    def _compiles(cls, value: dict[RecipientKind, str]) -> dict[RecipientKind, str]:
        for kind, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern for {kind.value!r} is not a valid regex: {exc}") from exc
        return value

    def model_post_init(self, context: object, /) -> None:
        compiled = [(k, re.compile(p, re.IGNORECASE)) for k, p in self.kinds.items()]
        self._compiled = compiled

    def classify(self, recipient: str, known: Mapping[str, RecipientKind] | None = None) -> RecipientKind:
        """The kind of one recipient string; ``known`` (lower-cased address or name -> kind) first."""
        value = recipient.strip()
        if not value:
            return RecipientKind.UNKNOWN
        if known:
            hit = known.get(value.lower())
            if hit is not None:
                return hit
        # Mail addresses: read the local part and domain as words ("dr.lee@cityclinic.org").
        readable = re.sub(r"[._@-]+", " ", value) if "@" in value else value
        m = _EMAIL.match(value)
        # A web address is read by its host, as a mail address by its domain ("www.cityclinic.com/intake").
        url = None if m else _URL.match(value)
        host = url.group(1).lower() if url else ""
        glued = value.lower().replace(".", " ") if m else host.replace(".", " ")
        personal = m is not None and m.group(1).lower() in self.personal_domains
        for kind, rx in self._compiled:
            # "partner@data-brokers.io" is no relative: family words count in names and personal mail only.
            if kind is RecipientKind.FAMILY and m and not personal:
                continue
            if rx.search(value) or (readable is not value and rx.search(readable)):
                return kind
            if (m or url) and any(w in glued for w in self.domain_words.get(kind, ())):
                return kind
        if m:
            return RecipientKind.CONTACT if personal else RecipientKind.UNKNOWN
        if _NAME.match(value):
            return RecipientKind.CONTACT
        if _PHONE.match(value):
            return RecipientKind.UNKNOWN
        return RecipientKind.UNKNOWN


@lru_cache(maxsize=4)
def load_recipient_rules(path: str | None = None) -> RecipientRules:
    """The packaged rules, or rules from a YAML file; validated and compiled at load."""
    return load_yaml_model(RecipientRules, package="personaguard.actions", name="recipients.yaml", path=path)
