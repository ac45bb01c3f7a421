"""The vocabulary of agent-action checks: data types, channels, recipients, personas, outcomes.

Kept free of heavy imports: the user profile imports :class:`PrivacyPersona` and
:class:`FlowSetting` from here.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ActionOutcome", "Channel", "DataType", "FlowSetting", "PrivacyPersona", "RecipientKind"]


class DataType(StrEnum):
    """Kinds of personal data an action can carry."""

    HEALTH = "health"
    FINANCE = "finance"
    LOCATION = "location"
    CONTACTS = "contacts"
    CREDENTIALS = "credentials"
    LEGAL = "legal"
    CHILDREN = "children"
    THIRD_PARTY = "third_party"


class Channel(StrEnum):
    """How an action moves information; ``read`` and ``local`` move none out of the user's hands."""

    EMAIL = "email"
    MESSAGE = "message"
    PUBLIC_POST = "public_post"
    CALENDAR = "calendar"
    FILE_SHARE = "file_share"
    PAYMENT = "payment"
    FORM = "form"
    PERMISSION = "permission"
    SETTINGS = "settings"
    LOCAL = "local"
    READ = "read"

    @property
    def is_outward(self) -> bool:
        """True when the action sends information to someone other than the user."""
        return self not in (Channel.LOCAL, Channel.READ)


class RecipientKind(StrEnum):
    """Who receives a flow, as far as the address, name or channel tells."""

    SELF = "self"
    FAMILY = "family"
    HEALTHCARE = "healthcare"
    FINANCIAL = "financial"
    LEGAL = "legal"
    GOVERNMENT = "government"
    EMPLOYER = "employer"
    SCHOOL = "school"
    APP = "app"
    CONTACT = "contact"
    UNKNOWN = "unknown"
    PUBLIC = "public"


class PrivacyPersona(StrEnum):
    """How much a user trades privacy for convenience (after the TIPO privacy personas)."""

    PRIVACY_FIRST = "privacy-first"
    BALANCED = "balanced"
    UTILITY_FIRST = "utility-first"


class FlowSetting(StrEnum):
    """A user's explicit choice for one data type; overrides the persona for that type."""

    ALLOW = "allow"
    CONFIRM = "confirm"
    BLOCK = "block"


class ActionOutcome(StrEnum):
    """What the agent may do: go ahead, ask the user first, or not do it."""

    ALLOW = "allow"
    CONFIRM = "confirm"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        """0 for allow, 1 for confirm, 2 for block: outcomes combine by max."""
        return ("allow", "confirm", "block").index(self.value)
