"""A background thread guarded by a condition: idempotent start, draining close."""

from __future__ import annotations

import threading

__all__ = ["WorkerThread"]


class WorkerThread:
    """Base for the service's single-thread workers (audit writer, scorer batcher).

    Subclasses set ``_cond``, ``_closed`` and ``_thread`` in their constructor, implement
    ``_run`` (which must return once ``_closed`` is set and its queue is drained), and may
    override ``_thread_name`` and ``_join_timeout_s``.
    """

    _thread_name = "personaguard-worker"
    _join_timeout_s = 10.0
    _cond: threading.Condition
    _closed: bool
    _thread: threading.Thread | None

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """Start the worker thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Let the worker finish what it holds, then stop it."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self._join_timeout_s)
            self._thread = None
