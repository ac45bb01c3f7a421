"""GET /v1/decisions: the tenant's append-only audit log, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from personaguard.record import repos
from personaguard.record.db import session_scope
from personaguard.service.deps import AppState, CurrentTenant
from personaguard.service.json_body import SanitizingRoute
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import USER_ID_PATTERN, DecisionOut, DecisionsPage

router = APIRouter(prefix="/v1/decisions", tags=["decisions"], responses=ERROR_RESPONSES, route_class=SanitizingRoute)


def _out(r: repos.DecisionRecord) -> DecisionOut:
    return DecisionOut(
        id=r.id, request_id=r.request_id, user=r.user_id, created_at=r.created_at, text=r.text,
        text_sha256=r.text_sha256, outcome=r.outcome, flagged=r.flagged, p_any=r.p_any, scores=r.scores,
        risks=r.risks, thresholds=r.thresholds, model_version=r.model_version,
    )


@router.get("", response_model=DecisionsPage, summary="Read the audit log")
def list_decisions(
    state: AppState,
    tenant: CurrentTenant,
    user: Annotated[str | None, Query(pattern=USER_ID_PATTERN, description="Only this user's decisions.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Most entries to return.")] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="Only entries with a smaller id.")] = None,
) -> DecisionsPage:
    """Page backwards with `before=next_before`."""
    with session_scope(state.sessions) as session:
        rows = repos.list_decisions(session, tenant_id=tenant.id, user_id=user, limit=limit, before_id=before)
    next_before = rows[-1].id if len(rows) == limit else None
    return DecisionsPage(decisions=[_out(r) for r in rows], next_before=next_before)
