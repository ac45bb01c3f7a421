"""Group commit for the audit log: one writer thread appends the decisions of every request
waiting at that moment in one transaction.

Each request still gets its rows' ids only after the commit, so nothing is acknowledged before it
is stored; but concurrent requests no longer queue on the database's write lock one commit at a
time (SQLite's busy handler sleeps, which wrecks tail latency under load).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from personaguard.record import repos
from personaguard.record.db import session_scope
from personaguard.service.worker import WorkerThread

__all__ = ["AuditWriter"]


@dataclass
class _Job:
    tenant: repos.TenantInfo
    decisions: Sequence[repos.NewDecision]
    done: threading.Event = field(default_factory=threading.Event)
    ids: list[int] = field(default_factory=list)
    error: Exception | None = None


class AuditWriter(WorkerThread):
    """Append decisions through a single writer thread, many requests per transaction."""

    _thread_name = "personaguard-audit"
    _join_timeout_s = 30.0  # close() writes what is pending first

    def __init__(self, *, sessions: sessionmaker[Session], max_jobs: int = 256) -> None:
        self.sessions = sessions
        self.max_jobs = max_jobs
        self._cond = threading.Condition()
        self._pending: list[_Job] = []
        self._closed = False
        self._thread: threading.Thread | None = None

    def append(self, tenant: repos.TenantInfo, decisions: Sequence[repos.NewDecision]) -> list[int]:
        """Append and wait for the commit; returns the new rows' ids in order."""
        if self._thread is None:
            with session_scope(self.sessions) as session:
                return repos.append_decisions(
                    session, tenant_id=tenant.id, store_text=tenant.store_text, decisions=decisions
                )
        job = _Job(tenant, decisions)
        with self._cond:
            if self._closed:
                raise RuntimeError("the audit writer is closed")
            self._pending.append(job)
            self._cond.notify_all()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.ids

    def _take(self) -> list[_Job] | None:
        with self._cond:
            while not self._pending and not self._closed:
                self._cond.wait()
            if not self._pending:
                return None
            jobs, self._pending = self._pending[: self.max_jobs], self._pending[self.max_jobs :]
            return jobs

    def _run(self) -> None:
        while (jobs := self._take()) is not None:
            try:
                with session_scope(self.sessions) as session:
                    for job in jobs:
                        job.ids = repos.append_decisions(
                            session, tenant_id=job.tenant.id, store_text=job.tenant.store_text,
                            decisions=job.decisions,
                        )
            except Exception as exc:  # handed to every waiting request, which re-raises it  # noqa: BLE001
                for job in jobs:
                    job.ids, job.error = [], exc
            for job in jobs:
                job.done.set()
