"""The one exception tree of personaguard.

::

    PersonaguardError                      base; .code is a stable slug; str() says what to do
    ├── ConfigError(ValueError)            taxonomy, knowledge base, policy or profile invalid
    │   └── FloorRelaxedError              a setting would loosen a floor category
    ├── UnknownIdError(LookupError)        category, vulnerability, user or tenant not found
    ├── InputTooLargeError(ValueError)     a text or body exceeds an explicit size limit
    ├── InvalidInputError(ValueError)      a value the guard cannot act on (e.g. blank feedback text)
    │   └── MalformedActionError           an agent action of no known shape, or bad JSON arguments
    ├── UnsupportedInputError(ValueError)  an input kind this deployment does not take (image URL)
    ├── ScoringError                       one item could not be scored or decided, alone
    ├── NotFittedError(ValueError, AttributeError)
    └── StoreError
        └── StoreUnavailableError          database unreachable

Wrong Python types stay plain ``TypeError``.

Errors about one item of a batch (``InputTooLargeError``, ``ScoringError``) carry ``index``, the
item's position; every other item of the batch is still decided (``Guard.check_batch``).
"""

from __future__ import annotations

__all__ = [
    "PersonaguardError",
    "ConfigError",
    "FloorRelaxedError",
    "UnknownIdError",
    "InputTooLargeError",
    "InvalidInputError",
    "MalformedActionError",
    "UnsupportedInputError",
    "ScoringError",
    "NotFittedError",
    "StoreError",
    "StoreUnavailableError",
    "BatchJobError",
]


class PersonaguardError(Exception):
    """Base of every error personaguard raises on purpose.

    Attributes
    ----------
    code : str
        A stable machine-readable slug (e.g. ``"config_invalid"``).
    """

    code: str = "personaguard_error"
    #: Position of the failing item when the error is about one item of a batch, else None.
    index: int | None = None
    #: When ``Guard.check_batch(errors="raise")`` raised this for one item: every item's result,
    #: decisions and errors in input order, so the rest of the batch is not lost.
    batch_results: list[object] | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(PersonaguardError, ValueError):
    """A data file or setting is invalid.

    Attributes
    ----------
    source : str or None
        The file (or ``"<text>"``) the problem was found in.
    loc : tuple of (str or int)
        The field path inside that file, as pydantic reports it.
    """

    code = "config_invalid"

    def __init__(self, message: str, *, source: str | None = None, loc: tuple[str | int, ...] = ()) -> None:
        prefix = f"{source}: " if source else ""
        where = f" (at {'.'.join(str(p) for p in loc)})" if loc else ""
        super().__init__(f"{prefix}{message}{where}")
        self.source = source
        self.loc = loc


class FloorRelaxedError(ConfigError):
    """A setting, example or custom category would relax a floor category."""

    code = "floor_relaxed"


class UnknownIdError(PersonaguardError, LookupError):
    """A category, vulnerability, user or tenant id is not known.

    Attributes
    ----------
    kind : str
        What was looked up (``"category"``, ``"user"``, ...).
    id : str
        The id that was not found.
    """

    code = "unknown_id"

    def __init__(self, kind: str, id: str, *, known: list[str] | None = None) -> None:  # noqa: A002
        hint = ""
        if known:
            shown = ", ".join(sorted(known)[:12])
            more = "" if len(known) <= 12 else f", ... ({len(known)} in all)"
            hint = f"; known {kind} ids: {shown}{more}"
        super().__init__(f"unknown {kind} id {id!r}{hint}")
        self.kind = kind
        self.id = id


class InputTooLargeError(PersonaguardError, ValueError):
    """An input exceeds an explicit size limit (never silently truncated)."""

    code = "input_too_large"


class InvalidInputError(PersonaguardError, ValueError):
    """A value of the right type that the guard cannot act on; the message says what to send."""

    code = "invalid_input"


class MalformedActionError(InvalidInputError):
    """An agent action (or trajectory step) the guard cannot read: never allowed by default.

    Attributes
    ----------
    loc : tuple of (str or int)
        Where in the action the problem is, e.g. ``("function", "arguments")``.
    """

    code = "malformed_action"

    def __init__(self, message: str, *, loc: tuple[str | int, ...] = ()) -> None:
        where = f" (at {'.'.join(str(p) for p in loc)})" if loc else ""
        super().__init__(f"{message}{where}")
        self.detail = message
        self.loc = loc


class UnsupportedInputError(PersonaguardError, ValueError):
    """An input of a kind this deployment does not take, e.g. an image URL (never fetched)."""

    code = "unsupported_input"


class ScoringError(PersonaguardError):
    """One item could not be scored or decided, even alone; the cause is chained and logged.

    Raised for that item only: the other items of its batch get their decisions.
    """

    code = "scoring_failed"

    def __init__(self, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


class NotFittedError(PersonaguardError, ValueError, AttributeError):
    """A scorer was used before ``fit`` (or before its artifacts were loaded)."""

    code = "not_fitted"


class StoreError(PersonaguardError):
    """A storage operation failed."""

    code = "store_error"


class StoreUnavailableError(StoreError):
    """The database cannot be reached; retry later."""

    code = "store_unavailable"


class BatchJobError(PersonaguardError):
    """A batch job cannot start or go on (no input shards, an output folder of another job).

    Bad *rows* are never this error: they go to the job's errors dataset and the job goes on.
    """

    code = "batch_job"
