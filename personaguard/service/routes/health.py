"""GET /healthz and GET /metrics (no key needed: they reveal no tenant data)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from personaguard.record.db import ping
from personaguard.service.deps import AppState
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import Health

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, responses={503: ERROR_RESPONSES[503]}, summary="Liveness and readiness")
async def healthz(state: AppState) -> Health:
    """200 when the model is loaded and the database answers; 503 with Retry-After otherwise."""
    await run_in_threadpool(ping, state.engine)
    learner = "ok" if state.learner_error is None else "unavailable"
    return Health(status="ok", model_version=state.guard.model_version, database="ok", learner=learner)


@router.get("/metrics", response_class=Response, summary="Prometheus metrics",
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format."}})
async def metrics(state: AppState) -> Response:
    """Request counts and latencies per route, decisions per outcome, scorer batch sizes."""
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
