"""Readable explanations: top categories, thresholds in force and where they came from."""

from __future__ import annotations

from personaguard.decide.outcome import CategoryVerdict, Outcome, Question, UserFactor

__all__ = ["explain"]

#: How each threshold source reads in an explanation.
_SOURCE_WORDS = {
    "taxonomy": "taxonomy default",
    "user": "user setting",
    "age_band": "age-band limit",
    "learned": "learned from feedback",
    "floor": "safety floor",
}


def explain(
    outcome: Outcome,
    verdicts: list[CategoryVerdict],
    factors: list[UserFactor],
    question: Question | None = None,
) -> str:
    """One paragraph saying why ``outcome`` was chosen.

    Examples
    --------
    >>> from personaguard.decide.outcome import ThresholdSource
    >>> v = CategoryVerdict(id="hate", p=0.9, r=0.9, warn=0.4, block=0.7,
    ...                     source=ThresholdSource.TAXONOMY, outcome=Outcome.BLOCK)
    >>> explain(Outcome.BLOCK, [v], [])
    'block: hate p=0.90 >= block 0.70 (taxonomy default).'
    """
    if not verdicts:
        return f"{outcome.value}: no category scored above 0.01."
    parts: list[str] = []
    for v in verdicts[:3]:
        score = f"p={v.p:.2f}" if abs(v.r - v.p) < 5e-3 else f"p={v.p:.2f}, personal risk r={v.r:.2f}"
        if v.is_own_choice:
            rel = f">= block {v.block:.2f}, a warning only: the user's own choice (decision policy)"
        elif v.outcome is Outcome.BLOCK:
            rel = f">= block {v.block:.2f}"
        elif v.outcome is Outcome.WARN:
            rel = f">= warn {v.warn:.2f} (< block {v.block:.2f})"
        else:
            rel = f"< warn {v.warn:.2f}"
        src = _SOURCE_WORDS.get(v.source) or v.source.value  # a StrEnum finds its str key
        floor = ", safety floor" if v.is_floor else ""
        learned = "" if v.without_learning is None else (
            f"; decided by what this user's feedback taught: {v.without_learning.value} before learning")
        parts.append(f"{v.id} {score} {rel} ({src}{floor}{learned})")
    text = f"{outcome.value}: " + "; ".join(parts) + "."
    for f in factors[:3]:
        verb = "Lowered" if f.kind == "allow_example" else "Raised"
        text += f" {verb} by {f.detail or f.kind + ' ' + f.id} ({f.category}), q={f.q:.2f}."
    if question is not None:
        text += (f" The verdict hinges on {question.attribute}, which we are not sure of"
                 f" (value of asking {question.value_of_information:.2f}); ask first: {question.text}")
    return text
