"""Prometheus metrics, kept in a registry owned by each app (no process-global state)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ServiceMetrics", "MetricsMiddleware"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    """The service's counters and histograms, registered on a fresh registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "personaguard_http_requests", "HTTP requests served.", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "personaguard_http_request_seconds", "Time to answer a request.", ["route"],
            buckets=_LATENCY_BUCKETS, registry=self.registry,
        )
        self.decisions = Counter(
            "personaguard_decisions", "Decisions made, by outcome.", ["outcome"], registry=self.registry
        )
        self.batch_texts = Histogram(
            "personaguard_scorer_batch_texts", "Texts per scorer call after micro-batching.",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256), registry=self.registry,
        )
        self.feedback = Counter(
            "personaguard_feedback_events", "Feedback events stored.", ["should", "is_learned"], registry=self.registry
        )
        # Set when a tenant reads GET /v1/monitor (labels are opaque tenant ids).
        self.estimated_accuracy = Gauge(
            "personaguard_estimated_accuracy", "Label-free accuracy estimate (VRP) of the recent window.",
            ["tenant"], registry=self.registry)
        self.window_flag_rate = Gauge(
            "personaguard_window_flag_rate", "Share of the recent window flagged.", ["tenant"], registry=self.registry)
        self.drift_alerts = Gauge(
            "personaguard_drift_alerts", "Drift alerts of the recent window against the reference.", ["tenant"],
            registry=self.registry)


class MetricsMiddleware:
    """Count requests and time them per route template (not per raw path, to bound cardinality)."""

    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - start)
