"""The privacy vocabulary a user profile speaks: data types, recipients, personas, settings.

A profile says which kinds of personal data may go to whom (``UserProfile.privacy``,
``privacy_settings``, ``contacts``); the agent-action checks (``personaguard.actions``) read the
same terms. They live here, in the profile stage, because stages only import earlier ones.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DataType", "FlowSetting", "PrivacyPersona", "RecipientKind"]


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
