"""Moderation and feedback wiring: profile lookup, Guard call, audit record. No rules here."""

from __future__ import annotations

from typing import Any

from personaguard.decide.outcome import Decision, Outcome
from personaguard.decide.policy import DecisionPolicy
from personaguard.errors import PersonaguardError
from personaguard.record import repos
from personaguard.record.db import session_scope
from personaguard.service.deps import ServiceState
from personaguard.service.profiles import parse_self_description, to_profile, validate_document, with_tenant_defaults
from personaguard.service.schemas import (
    ActionRequest,
    FeedbackIn,
    FeedbackOut,
    ModerationRequest,
    ModerationResponse,
    ModerationResult,
    PolicyApplied,
)

__all__ = ["give_feedback", "moderate", "user_profile_for"]


def user_profile_for(
    state: ServiceState, tenant: repos.TenantInfo, req: ModerationRequest | ActionRequest
) -> tuple[str | None, Any, PolicyApplied]:
    """The profile a request names: stored (``user``), inline (``user_profile``) or none (tenant default),
    with the tenant policy's settings and custom categories under the user's own."""
    user_id, profile, applied = _named_profile(state, tenant, req)
    if tenant.policy is not None and (tenant.policy.get("settings") or tenant.policy.get("custom_categories")):
        profile = with_tenant_defaults(profile, DecisionPolicy.model_validate(tenant.policy))
    return user_id, profile, applied


def _named_profile(
    state: ServiceState, tenant: repos.TenantInfo, req: ModerationRequest | ActionRequest
) -> tuple[str | None, Any, PolicyApplied]:
    if req.user is not None:
        with session_scope(state.sessions) as session:
            if tenant.register_unknown_users:
                stored = repos.get_or_register_profile(session, tenant_id=tenant.id, user_id=req.user)
            else:
                stored = repos.get_profile(session, tenant_id=tenant.id, user_id=req.user)
        profile = to_profile(stored.document, taxonomy=state.guard.taxonomy)
        return req.user, profile, PolicyApplied(source="registered_user" if stored.is_new else "stored_profile",
                                                user=req.user, vulnerabilities=_vulnerability_ids(profile))
    if req.user_profile is not None:
        user_id = str(req.user_profile.get("id", "inline"))
        document = parse_self_description(state.guard, user_id, req.user_profile)
        profile = to_profile(validate_document(user_id, document, taxonomy=state.guard.taxonomy))
        return None, profile, PolicyApplied(source="inline_profile", vulnerabilities=_vulnerability_ids(profile))
    return None, None, PolicyApplied(source="tenant_default")


def _vulnerability_ids(profile: Any) -> list[str]:
    return [v.id for v in getattr(profile, "vulnerabilities", ())]


def _thresholds(decision: Decision) -> dict[str, dict[str, object]]:
    return {
        v.id: {"warn": v.warn, "block": v.block, "source": v.source.value, "p": v.p, "r": v.r, "outcome": v.outcome.value}
        for v in decision.categories
    }


def _result(decision: Decision, decision_id: int) -> ModerationResult:
    flagged_ids = {v.id for v in decision.categories if v.outcome is not Outcome.ALLOW}
    return ModerationResult(
        flagged=decision.flagged,
        categories={cid: cid in flagged_ids for cid in decision.scores},
        category_scores=decision.scores,
        outcome=decision.outcome,
        explanation=decision.explanation,
        user_factors=list(decision.user_factors),
        risks=decision.risks,
        p_any=decision.p_any,
        attack=decision.attack,
        is_attack=decision.is_attack,
        question=decision.question,
        decision_id=decision_id,
        category_applied_input_types=decision.input_types or {cid: ["text"] for cid in decision.scores},
    )


def moderate(
    state: ServiceState, tenant: repos.TenantInfo, req: ModerationRequest, request_id: str
) -> ModerationResponse:
    """Decide on every input (micro-batched with concurrent requests) and append to the audit log."""
    user_id, profile, policy = user_profile_for(state, tenant, req)
    texts = req.texts
    kwargs: dict[str, Any] = {"user": profile} if profile is not None and state.accepts_user else {}
    if tenant.policy is not None:
        kwargs["decision_policy"] = DecisionPolicy.model_validate(tenant.policy)
    parts = req.parts
    with state.batcher.active():
        if parts is not None:
            results: list[Any] = [state.guard.check_parts(parts, **kwargs)]
        else:
            results = state.guard.check_batch(texts, req.contexts, errors="return", **kwargs)
    # Items are isolated inside the Guard; a request with a failed item answers that item's typed
    # error (413, or 500 scoring_failed with the request id), and the rest of the service goes on.
    failed = next((r for r in results if isinstance(r, PersonaguardError)), None)
    if failed is not None:
        raise failed
    decisions = [r for r in results if isinstance(r, Decision)]
    entries = [
        repos.NewDecision(
            request_id=request_id, user_id=user_id, text=text, outcome=d.outcome.value, flagged=d.flagged,
            p_any=d.p_any, scores=d.scores, risks=d.risks, thresholds=_thresholds(d), model_version=d.model_version,
        )
        for text, d in zip(texts, decisions)
    ]
    ids = state.audit.append(tenant, entries)
    state.windows.record(tenant.id, texts, decisions)
    for d in decisions:
        state.metrics.decisions.labels(d.outcome.value).inc()
    return ModerationResponse(
        id=f"modr-{request_id}",
        model=req.model or state.guard.model_version,
        model_version=state.guard.model_version,
        results=[_result(d, i) for d, i in zip(decisions, ids)],
        policy=policy,
    )


def give_feedback(state: ServiceState, tenant: repos.TenantInfo, body: FeedbackIn) -> FeedbackOut:
    """Store the event durably; when the learner is available, update the profile in the same transaction."""
    kl = delta = None
    applied = False
    bounds: dict[str, float] = {}
    reason = f"stored, not learned: {state.learner_error}"
    with state.user_locks.for_user(tenant.id, body.user), session_scope(state.sessions) as session:
        stored = repos.get_profile(session, tenant_id=tenant.id, user_id=body.user)
        if state.learner_error is None:
            profile = to_profile(stored.document, taxonomy=state.guard.taxonomy)
            res = state.guard.learn(profile, body.text, should=body.should, context=body.context, source=body.source)
            repos.put_profile(
                session, tenant_id=tenant.id, user_id=body.user, document=res.profile.model_dump(mode="json")
            )
            kl, delta, applied, reason = float(res.kl), float(res.delta), bool(res.applied), res.reason
            bounds = res.bounds
        record = repos.add_feedback(
            session, tenant_id=tenant.id, user_id=body.user, text=body.text, should=body.should,
            context=body.context, source=body.source, client_event_id=body.event_id, is_learned=kl is not None,
        )
    state.metrics.feedback.labels(body.should, str(record.is_learned).lower()).inc()
    return FeedbackOut(
        id=record.id, user=body.user, should=body.should, is_learned=record.is_learned, applied=applied,
        reason=reason, kl=kl, delta=delta, bounds=bounds, created_at=record.created_at,
    )
