"""personaguard: a content-safety guard whose decisions fit the person on the other end.

Examples
--------
>>> from personaguard import Guard
>>> Guard().check("What is the capital of France?").outcome.value
'allow'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from personaguard.decide.outcome import CategoryVerdict, Decision, Outcome, Question, UserFactor
from personaguard.errors import (
    ConfigError,
    FloorRelaxedError,
    InputTooLargeError,
    InvalidInputError,
    NotFittedError,
    PersonaguardError,
    ScoringError,
    StoreError,
    StoreUnavailableError,
    UnknownIdError,
    UnsupportedInputError,
)

if TYPE_CHECKING:
    from personaguard.guard import Guard
    from personaguard.profile.profile import UserProfile

__version__ = "0.1.0"

__all__ = [
    "CategoryVerdict",
    "ConfigError",
    "Decision",
    "FloorRelaxedError",
    "Guard",
    "InputTooLargeError",
    "InvalidInputError",
    "NotFittedError",
    "Outcome",
    "PersonaguardError",
    "Question",
    "ScoringError",
    "StoreError",
    "StoreUnavailableError",
    "UnknownIdError",
    "UnsupportedInputError",
    "UserFactor",
    "UserProfile",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # Guard pulls numpy and the model code; load it on first use so `import personaguard` stays light.
    if name == "Guard":
        from personaguard.guard import Guard

        return Guard
    if name == "UserProfile":
        from personaguard.profile.profile import UserProfile

        return UserProfile
    raise AttributeError(f"module 'personaguard' has no attribute {name!r}")
