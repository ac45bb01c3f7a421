"""GET /v1/monitor: estimated accuracy and drift of the caller's recent decisions, no labels."""

from __future__ import annotations

from fastapi import APIRouter

from personaguard.monitor.accuracy import embed_texts
from personaguard.monitor.drift import Scored, compare_scored
from personaguard.service.deps import AppState, CurrentTenant
from personaguard.service.json_body import SanitizingRoute
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import MonitorOut

router = APIRouter(prefix="/v1/monitor", tags=["monitoring"], responses=ERROR_RESPONSES, route_class=SanitizingRoute)


@router.get("", response_model=MonitorOut, summary="Label-free accuracy estimate and drift of recent traffic")
def get_monitor(state: AppState, tenant: CurrentTenant) -> MonitorOut:
    """Computed on request from the tenant's in-memory window (a few seconds for 500 texts)."""
    live, reference = state.windows.snapshot(tenant.id)
    out = MonitorOut(window_size=state.windows.size, n=len(live), reference_n=len(reference or []))
    if len(live) < 2:
        return out
    live_scored = Scored(decisions=[d for _, d in live], embeddings=embed_texts(state.guard, [t for t, _ in live]))
    est = live_scored.estimate()
    out = out.model_copy(update={"flag_rate": est.flag_rate, "estimated_accuracy": est.accuracy,
                                 "interval": list(est.interval), "average_confidence": est.average_confidence})
    if reference is not None:
        ref_scored = Scored(decisions=[d for _, d in reference],
                            embeddings=embed_texts(state.guard, [t for t, _ in reference]))
        drift = compare_scored(state.guard, ref_scored, live_scored)
        out = out.model_copy(update={"drift_alerts": drift.alerts, "embedding_p_value": drift.embedding_p_value})
        state.metrics.drift_alerts.labels(tenant.id).set(len(drift.alerts))
    state.metrics.estimated_accuracy.labels(tenant.id).set(est.accuracy)
    state.metrics.window_flag_rate.labels(tenant.id).set(est.flag_rate)
    return out
