"""Per-tenant sliding windows of recent decisions, for label-free monitoring (GET /v1/monitor).

The texts of the window are held in memory only, bounded (``monitor_window`` per tenant), and
never written anywhere: VRP and the drift test need them (their embeddings) at the time of the
report. The first full window of a tenant after start-up is its reference for drift.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from personaguard.decide.outcome import Decision

if TYPE_CHECKING:
    from personaguard.record import repos
    from personaguard.service.deps import ServiceState
    from personaguard.service.schemas import MonitorOut

__all__ = ["TenantWindows", "Window", "monitor_snapshot"]


@dataclass
class Window:
    """One tenant's recent texts and decisions, and its frozen reference window."""

    size: int
    live: deque[tuple[str, Decision]] = field(default_factory=deque)
    reference: list[tuple[str, Decision]] | None = None

    def add(self, text: str, decision: Decision) -> None:
        self.live.append((text, decision))
        if len(self.live) > self.size:
            self.live.popleft()
        if self.reference is None and len(self.live) == self.size:
            self.reference = list(self.live)


class TenantWindows:
    """Thread-safe windows, one per tenant; ``size`` 0 turns monitoring off."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._windows: dict[str, Window] = {}
        self._lock = threading.Lock()

    def record(self, tenant_id: str, texts: list[str], decisions: list[Decision]) -> None:
        """Append a request's texts and decisions to the tenant's window."""
        if self.size <= 0:
            return
        with self._lock:
            window = self._windows.setdefault(tenant_id, Window(self.size))
            for t, d in zip(texts, decisions):
                window.add(t, d)

    def snapshot(self, tenant_id: str) -> tuple[list[tuple[str, Decision]], list[tuple[str, Decision]] | None]:
        """Copies of the tenant's live window and reference (None until the first window filled)."""
        with self._lock:
            window = self._windows.get(tenant_id)
            if window is None:
                return [], None
            return list(window.live), None if window.reference is None else list(window.reference)


def monitor_snapshot(state: "ServiceState", tenant: "repos.TenantInfo") -> "MonitorOut":
    """The tenant's window now: estimated accuracy, flag rate and drift against its reference.

    Sets the Prometheus gauges as a side effect; shared by ``GET /v1/monitor`` and the console.
    """
    from personaguard.monitor.accuracy import embed_texts
    from personaguard.monitor.drift import Scored, compare_scored
    from personaguard.service.schemas import MonitorOut

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
