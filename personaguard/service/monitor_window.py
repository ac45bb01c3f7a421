"""Per-tenant sliding windows of recent decisions, for label-free monitoring (GET /v1/monitor).

The texts of the window are held in memory only, bounded (``monitor_window`` per tenant), and
never written anywhere: VRP and the drift test need them (their embeddings) at the time of the
report. The first full window of a tenant after start-up is its reference for drift.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from personaguard.decide.outcome import Decision

__all__ = ["TenantWindows", "Window"]


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
