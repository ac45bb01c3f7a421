"""GET /v1/monitor: estimated accuracy and drift of the caller's recent decisions, no labels."""

from __future__ import annotations

from fastapi import APIRouter

from personaguard.service.deps import AppState, CurrentTenant
from personaguard.service.monitor_window import monitor_snapshot
from personaguard.service.json_body import SanitizingRoute
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import MonitorOut

router = APIRouter(prefix="/v1/monitor", tags=["monitoring"], responses=ERROR_RESPONSES, route_class=SanitizingRoute)


@router.get("", response_model=MonitorOut, summary="Label-free accuracy estimate and drift of recent traffic")
def get_monitor(state: AppState, tenant: CurrentTenant) -> MonitorOut:
    """Computed on request from the tenant's in-memory window (a few seconds for 500 texts)."""
    return monitor_snapshot(state, tenant)
