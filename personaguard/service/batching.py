"""Micro-batching: concurrent requests share one scorer call.

Each request runs ``Guard.check_batch`` in its own worker thread; the Guard's scorer is wrapped
in a :class:`BatchingScorer`, whose single worker thread gathers the texts of every request
waiting at that moment and scores them in one batch. It waits for more texts only while other
requests are known to be on their way (``active()``), and never longer than ``max_wait_ms``,
so a lone request pays no added latency.

One request must never fail another: when a merged batch raises, each request's texts are
scored again on their own, and only a request whose texts fail alone gets the error (its
``Guard.check_batch`` then isolates the failing item in turn).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from personaguard.score.base import CategoryScores, Scorer
from personaguard.service.worker import WorkerThread

__all__ = ["BatchingScorer"]

log = logging.getLogger(__name__)


@dataclass
class _Slot:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    result: CategoryScores | None = None
    error: Exception | None = None


class BatchingScorer(WorkerThread):
    """A Scorer that merges concurrent ``score`` calls into one call of ``scorer``.

    Parameters
    ----------
    scorer : Scorer
        The real scorer; only the batching thread calls it.
    max_wait_ms : float, default=3.0
        Longest the first text of a batch waits for companions.
    max_batch_texts : int, default=64
        A batch closes as soon as it holds this many texts.
    on_batch : callable or None
        Called with the number of texts of each batch (for metrics).
    """

    _thread_name = "personaguard-batcher"

    def __init__(
        self,
        *,
        scorer: Scorer,
        max_wait_ms: float = 3.0,
        max_batch_texts: int = 64,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.scorer = scorer
        self.max_wait_ms = max_wait_ms
        self.max_batch_texts = max_batch_texts
        self.on_batch = on_batch
        self.category_ids: tuple[str, ...] = tuple(scorer.category_ids)
        self._cond = threading.Condition()
        self._pending: list[_Slot] = []
        self._n_active = 0
        self._n_waiting_active = 0
        self._closed = False
        self._thread: threading.Thread | None = None

    def __getattr__(self, name: str) -> Any:
        # Anything else the Guard asks of its scorer (version, embeddings...) goes to the real one.
        if name == "scorer":
            raise AttributeError(name)
        return getattr(self.scorer, name)

    # -- life cycle -------------------------------------------------------------------------------
    @contextmanager
    def active(self) -> Iterator[None]:
        """Mark a request that will call ``score`` soon, so open batches wait for it."""
        with self._cond:
            self._n_active += 1
        try:
            yield
        finally:
            with self._cond:
                self._n_active -= 1
                self._cond.notify_all()

    # -- Scorer protocol --------------------------------------------------------------------------
    def score(self, texts: list[str]) -> CategoryScores:
        """Score ``texts`` as part of whatever batch is forming; blocks until done."""
        if self._thread is None:
            return self.scorer.score(texts)
        slot = _Slot(list(texts))
        with self._cond:
            if self._closed:
                raise RuntimeError("the batching scorer is closed")
            self._pending.append(slot)
            self._cond.notify_all()
        slot.done.wait()
        if slot.error is not None:
            raise slot.error
        assert slot.result is not None
        return slot.result

    # -- batching thread --------------------------------------------------------------------------
    def _take_batch(self) -> list[_Slot] | None:
        with self._cond:
            while not self._pending and not self._closed:
                self._cond.wait()
            if self._closed and not self._pending:
                return None
            deadline = time.monotonic() + self.max_wait_ms / 1000.0
            while not self._closed:
                n_texts = sum(len(s.texts) for s in self._pending)
                # Requests inside active() that have not submitted yet are worth waiting for.
                if n_texts >= self.max_batch_texts or len(self._pending) >= self._n_active:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch: list[_Slot] = []
            n = 0
            while self._pending and (not batch or n + len(self._pending[0].texts) <= self.max_batch_texts):
                slot = self._pending.pop(0)
                batch.append(slot)
                n += len(slot.texts)
            return batch

    def _run(self) -> None:
        while (batch := self._take_batch()) is not None:
            texts = [t for s in batch for t in s.texts]
            try:
                scores = self.scorer.score(texts)
            # The isolation boundary of the batcher: a failure is retried per request below.
            except Exception as exc:  # noqa: BLE001
                if len(batch) == 1:
                    batch[0].error = exc
                    batch[0].done.set()
                else:
                    log.warning("a merged batch of %d requests failed (%s); scoring each alone",
                                len(batch), type(exc).__name__)
                    for s in batch:
                        self._score_alone(s)
                continue
            if self.on_batch is not None:
                self.on_batch(len(texts))
            start = 0
            for s in batch:
                stop = start + len(s.texts)
                s.result = _rows(scores, start, stop)
                start = stop
                s.done.set()

    def _score_alone(self, slot: _Slot) -> None:
        try:
            slot.result = self.scorer.score(slot.texts)
        except Exception as exc:  # noqa: BLE001  (handed to this request only, which re-raises it)
            slot.error = exc
        slot.done.set()


def _rows(scores: CategoryScores, start: int, stop: int) -> CategoryScores:
    return CategoryScores(
        scores.category_ids,
        np.array(scores.probs[start:stop]),
        np.array(scores.p_any[start:stop]),
        np.array(scores.n_windows[start:stop]),
    )
