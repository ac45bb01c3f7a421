"""A decision as a person reads it: the outcome, the reasons in words, what the user changed.

``personaguard check`` prints this by default (``--json`` gives the whole Decision to machines).
Colour only when stdout is a terminal and ``NO_COLOR`` is not set (no-color.org).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from personaguard.decide.outcome import Decision, Outcome
from personaguard.taxonomy import Taxonomy

__all__ = ["render_decision", "EXIT_CODES", "use_colour"]

#: Exit code of ``personaguard check`` per outcome; errors exit 4 and usage errors 64 (cli.main).
EXIT_CODES: dict[Outcome, int] = {Outcome.ALLOW: 0, Outcome.WARN: 1, Outcome.BLOCK: 2, Outcome.ASK: 3}

_COLOURS = {Outcome.ALLOW: "32", Outcome.WARN: "33", Outcome.BLOCK: "31", Outcome.ASK: "36"}
_HEADLINES = {
    Outcome.ALLOW: "allowed",
    Outcome.WARN: "allowed with a warning",
    Outcome.BLOCK: "blocked",
    Outcome.ASK: "ask the user first",
}
_SOURCES = {
    "taxonomy": "the default limit",
    "user": "this user's own setting",
    "age_band": "the limit for the user's age",
    "learned": "a limit learned from this user's feedback",
    "floor": "a safety floor nothing can relax",
}


def use_colour(stream: TextIO = sys.stdout) -> bool:
    """True when ``stream`` is a terminal and ``NO_COLOR`` is unset."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[1;{code}m{text}\033[0m" if colour else text


def render_decision(decision: Decision, taxonomy: Taxonomy, *, colour: bool = False, n_reasons: int = 3) -> str:
    """A few lines of plain words for ``decision``.

    Examples
    --------
    >>> from personaguard.taxonomy import load_taxonomy
    >>> d = Decision(outcome="allow", flagged=False, p_any=0.02, scores={}, risks={}, categories=[],
    ...              explanation="", model_version="m")
    >>> print(render_decision(d, load_taxonomy()))
    ALLOW  allowed: nothing in the text comes near a limit.
    """
    names = {c.id: c.name for c in taxonomy.categories}
    head = f"{decision.outcome.value.upper():<6} {_HEADLINES[decision.outcome]}"
    lines = [_paint(head, _COLOURS[decision.outcome], colour)]
    flagged = [v for v in decision.categories if v.outcome is not Outcome.ALLOW]
    shown = flagged or [v for v in decision.categories if v.r >= 0.2]
    if not shown:
        lines[0] += ": nothing in the text comes near a limit."
    for v in shown[:n_reasons]:
        name = names.get(v.id, v.id.removeprefix("custom:") + " (your category)")
        what = {Outcome.BLOCK: "over the block limit", Outcome.WARN: "over the warning limit"}.get(
            v.outcome, "under the limits")
        limit = v.block if v.outcome is Outcome.BLOCK else v.warn
        note = ""
        if v.is_own_choice:  # over the block limit, but the user's own legal choice (decision policy)
            what, limit, note = "over the block limit", v.block, " A warning only: the user's own choice."
        likely = f"{v.r:.0%} likely" if abs(v.r - v.p) < 0.005 else f"{v.r:.0%} likely for this user ({v.p:.0%} for anyone)"
        lines.append(f"  - {name}: {likely}, {what} of {limit:.0%} set by "
                     f"{_SOURCES.get(v.source.value, v.source.value)}.{note}")
    for f in decision.user_factors[:2]:
        verb = "lowered" if f.kind == "allow_example" else "raised"
        lines.append(f"  Because of this user: {f.detail or f.id} {verb} the risk of "
                     f"{names.get(f.category, f.category)}.")
    for g in decision.guidance:
        lines.append(f"  Guidance: {g}")
    if decision.question is not None:
        lines.append(f"  Ask: {decision.question.text}")
    return "\n".join(lines)
