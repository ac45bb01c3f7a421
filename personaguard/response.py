"""A model's response judged in its prompt's context, with harm amplification per category.

DESIGN.md section 7: ``amp_c = max(0, r_c(response) - r_c(prompt))``, both risks for the same
user. The response keeps its own verdict (a compliant harmful answer to a harmful request adds
little *over* the request by this formula, and must still be blocked); amplification is reported,
and it escalates: a category where the response only warns but carries at least
``ESCALATE_AT`` more risk than its prompt blocks, since the model volunteered harm that nobody
asked for. ``Guard.check_response`` is the public entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from personaguard.decide.outcome import CategoryVerdict, Decision, Outcome, most_severe
from personaguard.decide.policy import DecisionPolicy

if TYPE_CHECKING:
    from personaguard.guard import Guard
    from personaguard.profile.profile import UserProfile

__all__ = ["decide_response", "ESCALATE_AT"]

#: Amplification from which a warning on the response becomes a block.
ESCALATE_AT = 0.4


def decide_response(
    guard: "Guard", prompt: str, response: str, *, user: "UserProfile | None",
    decision_policy: DecisionPolicy | None,
) -> Decision:
    """See :meth:`personaguard.guard.Guard.check_response`."""
    if not isinstance(prompt, str) or not isinstance(response, str):
        raise TypeError(f"prompt and response must be str, got {type(prompt).__name__}, {type(response).__name__}")
    d_prompt, d_resp = guard.check_batch([prompt, response], contexts=[None, prompt], user=user,
                                         decision_policy=decision_policy)
    content = [c for c in guard.taxonomy.ids if c not in guard.taxonomy.attack_ids]
    amp = {c: max(0.0, d_resp.risks.get(c, 0.0) - d_prompt.risks.get(c, 0.0)) for c in content}
    escalated = {v.id for v in d_resp.categories if v.outcome is Outcome.WARN and amp.get(v.id, 0.0) >= ESCALATE_AT}
    if not escalated:
        return d_resp.model_copy(update={"amplification": amp})
    verdicts: list[CategoryVerdict] = [
        v.model_copy(update={"outcome": Outcome.BLOCK}) if v.id in escalated else v for v in d_resp.categories]
    outcome = most_severe([d_resp.outcome, Outcome.BLOCK])
    note = (f" Escalated to block: the response adds harm its prompt did not carry "
            f"({', '.join(f'{c} +{amp[c]:.2f}' for c in sorted(escalated))}).")
    return d_resp.model_copy(update={"amplification": amp, "categories": verdicts, "outcome": outcome,
                                     "flagged": True, "explanation": d_resp.explanation + note})
