"""The normalization pipeline: fixed order, idempotent, one frozen result object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from personaguard.normalize.homoglyphs import fold_homoglyphs
from personaguard.normalize.leetspeak import collapse_repeats, undo_leetspeak
from personaguard.normalize.unicode import fold_unicode, replace_invalid_code_points, strip_invisible

__all__ = ["NormalizedText", "normalize_text", "STEPS"]

#: The registry of normalization steps, applied in this order.
STEPS: dict[str, Callable[[str], str]] = {
    "replace_invalid_code_points": replace_invalid_code_points,
    "strip_invisible": strip_invisible,
    "fold_unicode": fold_unicode,
    "fold_homoglyphs": fold_homoglyphs,
    "undo_leetspeak": undo_leetspeak,
    "collapse_repeats": collapse_repeats,
}


@dataclass(frozen=True)
class NormalizedText:
    """A text ready for scoring.

    Attributes
    ----------
    text : str
        The normalized text.
    original : str
        What the caller passed.
    steps_applied : tuple of str
        Names of the steps that changed something (for explanations and audits).
    """

    text: str
    original: str
    steps_applied: tuple[str, ...]


def normalize_text(text: str) -> NormalizedText:
    """Run every normalization step; applying it twice changes nothing more.

    Examples
    --------
    >>> normalize_text("k\\u200b1ll").text
    'kill'
    """
    out = text
    applied: list[str] = []
    for name, step in STEPS.items():
        new = step(out)
        if new != out:
            applied.append(name)
            out = new
    # NFKC can expose new leet/repeat patterns and vice versa; a second pass makes it idempotent.
    if applied:
        for name, step in STEPS.items():
            out = step(out)
    return NormalizedText(text=out, original=text, steps_applied=tuple(applied))
