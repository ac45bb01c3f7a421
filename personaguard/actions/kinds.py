"""The vocabulary of agent-action checks: channels and outcomes, plus the profile's privacy terms.

Data types, recipient kinds, personas and per-type settings are the user profile's words
(``personaguard.profile.privacy_kinds``); they are re-exported here so that every module of
this package reads its whole vocabulary from one place.
"""

from __future__ import annotations

from enum import StrEnum

from personaguard.profile.privacy_kinds import DataType, FlowSetting, PrivacyPersona, RecipientKind

__all__ = ["ActionOutcome", "Channel", "DataType", "FlowSetting", "PrivacyPersona", "RecipientKind"]


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


class ActionOutcome(StrEnum):
    """What the agent may do: go ahead, ask the user first, or not do it."""

    ALLOW = "allow"
    CONFIRM = "confirm"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        """0 for allow, 1 for confirm, 2 for block: outcomes combine by max."""
        return ("allow", "confirm", "block").index(self.value)
