"""``create_app(settings)``: builds the FastAPI app; the engine and Guard come up in its lifespan."""

from __future__ import annotations

import copy
import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio.to_thread
from fastapi import FastAPI

from personaguard import __version__
from personaguard.errors import ConfigError, NotFittedError
from personaguard.record.db import make_engine, make_sessions, upgrade
from personaguard.service.audit import AuditWriter
from personaguard.service.batching import BatchingScorer
from personaguard.service.console import console_codec, install_console
from personaguard.service.deps import ServiceState, TenantCache
from personaguard.service.errors import install_error_handlers
from personaguard.service.limits import EdgeMiddleware
from personaguard.service.metrics import MetricsMiddleware, ServiceMetrics
from personaguard.service.monitor_window import TenantWindows
from personaguard.service.routes import ROUTERS
from personaguard.service.settings import Settings

if TYPE_CHECKING:
    from personaguard.guard import Guard

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def _batching_guard(base: Guard, batcher: BatchingScorer) -> Guard:
    # A shallow copy shares the loaded model and taxonomy with ``base`` (tests share one Guard
    # across apps) but scores through this app's batcher.
    guard = copy.copy(base)
    guard.scorer = batcher
    return guard


def _learner_error(guard: Guard) -> str | None:
    """Fit the Guard's learner now; say why it cannot run (feedback is then stored, not learned).

    A missing learner or reference sample is a deployment state, not a client error: the
    service starts, reports ``learner: unavailable`` on /healthz, and keeps every event.
    """
    fit = getattr(guard, "fitted_learner", None)
    if fit is None or not hasattr(guard, "learn"):
        return "this Guard has no trust-region learner"
    try:
        fit()
    except (ConfigError, NotFittedError) as exc:
        log.warning("feedback will be stored but not learned: %s", exc)
        return str(exc)
    return None


def create_app(settings: Settings | None = None, *, guard: Guard | None = None) -> FastAPI:
    """The personaguard HTTP app.

    Parameters
    ----------
    settings : Settings or None
        None reads ``PERSONAGUARD_*`` environment variables.
    guard : Guard or None
        A loaded Guard to share; None loads the packaged one at start-up.
    """
    settings = settings if settings is not None else Settings()
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        engine = make_engine(settings.database_url, pool_size=min(settings.worker_threads, 32))
        await anyio.to_thread.run_sync(upgrade, engine)
        if guard is None:
            from personaguard.guard import Guard

            base = await anyio.to_thread.run_sync(Guard)
        else:
            base = guard
        learner_error = await anyio.to_thread.run_sync(_learner_error, base)
        batcher = BatchingScorer(
            scorer=base.scorer,
            max_wait_ms=settings.batch_max_wait_ms,
            max_batch_texts=settings.batch_max_texts,
            on_batch=metrics.batch_texts.observe,
        )
        batcher.start()
        sessions = make_sessions(engine)
        audit = AuditWriter(sessions=sessions)
        audit.start()
        app.state.personaguard = ServiceState(
            settings=settings,
            engine=engine,
            sessions=sessions,
            audit=audit,
            guard=_batching_guard(base, batcher),
            batcher=batcher,
            metrics=metrics,
            accepts_user="user" in inspect.signature(base.check_batch).parameters,
            learner_error=learner_error,
            tenant_cache=TenantCache(settings.auth_cache_s),
            windows=TenantWindows(settings.monitor_window),
            console=console_codec(settings),
        )
        log.info("personaguard service ready (model %s)", base.model_version)
        try:
            yield
        finally:
            batcher.close()
            audit.close()
            engine.dispose()

    app = FastAPI(
        title="personaguard",
        version=__version__,
        description="Content-safety moderation whose verdicts fit the user. Authenticate with `Bearer KEY`.",
        lifespan=lifespan,
    )
    install_error_handlers(app, retry_after_s=settings.retry_after_s)
    install_console(app)
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    for router in ROUTERS:
        app.include_router(router)
    return app
