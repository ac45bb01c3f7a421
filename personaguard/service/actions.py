"""Agent-action wiring: profile lookup, Guard.check_action, audit record. No rules here."""

from __future__ import annotations

from personaguard.actions.decision import ActionDecision
from personaguard.actions.shapes import parse_action
from personaguard.record import repos
from personaguard.service.deps import ServiceState
from personaguard.service.moderation import user_profile_for
from personaguard.service.schemas import ActionRequest, ActionResponse

__all__ = ["check_action"]


def _audit_entry(req: ActionRequest, decision: ActionDecision, user_id: str | None, request_id: str, model_version: str) -> repos.NewDecision:
    """One audit row per action: the action as compact JSON, flow risks keyed 'privacy:<data>-><recipient>'."""
    risks: dict[str, float] = {}
    thresholds: dict[str, dict[str, object]] = {}
    for f in decision.flows:
        key = f"privacy:{f.data_type.value}->{f.recipient_kind.value}"
        if f.risk >= risks.get(key, -1.0):
            risks[key] = f.risk
            thresholds[key] = {"outcome": f.outcome.value, "rule": f.rule}
    return repos.NewDecision(
        request_id=request_id, user_id=user_id, text=parse_action(req.action).to_json(), outcome=decision.outcome.value,
        flagged=decision.flagged, p_any=max(risks.values(), default=0.0), scores={}, risks=risks,
        thresholds=thresholds, model_version=model_version,
    )


def check_action(state: ServiceState, tenant: repos.TenantInfo, req: ActionRequest, request_id: str) -> ActionResponse:
    """Decide on one action for the named user and append the decision to the tenant's audit log."""
    user_id, profile, policy = user_profile_for(state, tenant, req)
    decision = state.guard.check_action(req.action, user=profile, trajectory=req.trajectory)
    [decision_id] = state.audit.append(tenant, [_audit_entry(req, decision, user_id, request_id, state.guard.model_version)])
    state.metrics.decisions.labels(decision.outcome.value).inc()
    return ActionResponse(
        **decision.model_dump(), id=f"act-{request_id}", decision_id=decision_id,
        model_version=state.guard.model_version, policy=policy,
    )
