"""One decision for a request of several parts (text and images), from each part's decision.

The most severe outcome wins, each category keeps its riskiest part, and the decision says which
input types each category's score covers (OpenAI's ``category_applied_input_types``).
"""

from __future__ import annotations

from personaguard.decide.outcome import SEVERITY, CategoryVerdict, Decision, most_severe

__all__ = ["combine_decisions"]


def combine_decisions(parts: dict[str, Decision], covers: dict[str, set[str]]) -> Decision:
    """Merge per-input-type decisions.

    Parameters
    ----------
    parts : dict of input type ('text', 'image') to Decision
        At least one.
    covers : dict of input type to the set of category ids that type's scorer speaks to.

    Examples
    --------
    >>> a = Decision(outcome="allow", flagged=False, p_any=0.1, scores={"sexual": 0.1, "hate": 0.1},
    ...              explanation="allow: ...", model_version="t")
    >>> b = Decision(outcome="block", flagged=True, p_any=0.9, scores={"sexual": 0.9, "hate": 0.0},
    ...              explanation="block: sexual", model_version="i")
    >>> d = combine_decisions({"text": a, "image": b}, {"text": {"sexual", "hate"}, "image": {"sexual"}})
    >>> d.outcome.value, d.scores["sexual"], d.input_types["sexual"], d.input_types["hate"]
    ('block', 0.9, ['text', 'image'], ['text'])
    """
    if not parts:
        raise ValueError("combine_decisions needs at least one part")
    decisions = list(parts.values())
    ids = list(decisions[0].scores)
    scores = {c: max(d.scores.get(c, 0.0) for d in decisions) for c in ids}
    risk_ids = dict.fromkeys(k for d in decisions for k in d.risks)
    risks = {c: max(d.risks.get(c, 0.0) for d in decisions) for c in risk_ids}
    best: dict[str, CategoryVerdict] = {}
    for d in decisions:
        for v in d.categories:
            old = best.get(v.id)
            if old is None or (SEVERITY[v.outcome], v.r) > (SEVERITY[old.outcome], old.r):
                best[v.id] = v
    verdicts = sorted(best.values(), key=lambda v: (-SEVERITY[v.outcome], -v.r))
    outcome = most_severe([d.outcome for d in decisions])
    text = parts.get("text")
    explanation = "; ".join(f"{kind}: {d.explanation}" for kind, d in parts.items())
    return Decision(
        outcome=outcome,
        flagged=outcome.value != "allow",
        p_any=max(d.p_any for d in decisions),
        scores=scores,
        risks=risks,
        categories=verdicts,
        user_factors=[] if text is None else list(text.user_factors),
        guidance=list(dict.fromkeys(g for d in decisions for g in d.guidance)),
        question=next((d.question for d in decisions if d.outcome == outcome and d.question), None),
        explanation=f"{outcome.value} ({explanation})",
        user_id=decisions[0].user_id,
        normalization=[] if text is None else list(text.normalization),
        n_windows=sum(d.n_windows for d in decisions),
        model_version="+".join(dict.fromkeys(d.model_version for d in decisions)),
        input_types={c: [kind for kind in parts if c in covers.get(kind, set())] for c in ids},
    )
