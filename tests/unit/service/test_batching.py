"""BatchingScorer: concurrent calls share scorer batches, keep their rows, and get errors."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from personaguard.score.base import CategoryScores
from personaguard.service.batching import BatchingScorer


class LengthScorer:
    """p = len(text) / 100 for category 'a', 1 - that for 'b'; records each batch it sees."""

    category_ids = ("a", "b")
    version = "len-1"

    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.fail_on = fail_on

    def score(self, texts: list[str]) -> CategoryScores:
        self.batches.append(list(texts))
        if self.fail_on in texts:
            raise ValueError(f"cannot score {self.fail_on!r}")
        p = np.array([[len(t) / 100, 1 - len(t) / 100] for t in texts]).reshape(len(texts), 2)
        return CategoryScores(self.category_ids, p, p.max(axis=1), np.ones(len(texts), dtype=np.int64))


def _run_together(batcher: BatchingScorer, requests: list[list[str]]) -> list[CategoryScores]:
    """Every request enters active() before any submits, like concurrent HTTP requests would."""
    barrier = threading.Barrier(len(requests))

    def one(texts: list[str]) -> CategoryScores:
        with batcher.active():
            barrier.wait()
            return batcher.score(texts)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(one, requests))


def test_concurrent_calls_share_one_batch_and_keep_their_rows() -> None:
    inner = LengthScorer()
    batcher = BatchingScorer(scorer=inner, max_wait_ms=60_000, max_batch_texts=64)
    batcher.start()
    requests = [["x" * i, "y" * (i + 10)] for i in range(8)]
    try:
        results = _run_together(batcher, requests)
    finally:
        batcher.close()
    assert len(inner.batches) == 1 and len(inner.batches[0]) == 16, inner.batches
    for texts, res in zip(requests, results):
        assert res.probs[:, 0].tolist() == pytest.approx([len(t) / 100 for t in texts]), texts
        assert res.probs.shape == (2, 2)


def test_a_lone_request_does_not_wait_for_companions() -> None:
    inner = LengthScorer()
    batcher = BatchingScorer(scorer=inner, max_wait_ms=3_600_000)
    batcher.start()
    done = threading.Event()

    def lone() -> None:
        with batcher.active():
            batcher.score(["only"])
        done.set()

    threading.Thread(target=lone, daemon=True).start()
    finished = done.wait(timeout=30)  # with a one-hour max wait, only the active() count can release it
    batcher.close()
    assert finished
    assert inner.batches == [["only"]]


def test_batches_close_at_max_batch_texts() -> None:
    inner = LengthScorer()
    batcher = BatchingScorer(scorer=inner, max_wait_ms=60_000, max_batch_texts=4)
    batcher.start()
    try:
        _run_together(batcher, [["a", "b"] for _ in range(6)])
    finally:
        batcher.close()
    assert sorted(len(b) for b in inner.batches) == [4, 4, 4], inner.batches


def test_an_error_reaches_only_the_request_that_fails_alone() -> None:
    inner = LengthScorer(fail_on="boom")
    batcher = BatchingScorer(scorer=inner, max_wait_ms=60_000)
    batcher.start()
    barrier = threading.Barrier(3)

    def one(texts: list[str]) -> str:
        with batcher.active():
            barrier.wait()
            try:
                batcher.score(texts)
            except ValueError as exc:
                return str(exc)
        return "ok"

    try:
        with ThreadPoolExecutor(3) as pool:
            outcomes = list(pool.map(one, [["boom"], ["fine"], ["also fine"]]))
    finally:
        batcher.close()
    assert outcomes == ["cannot score 'boom'", "ok", "ok"]
    # One merged batch failed, then each request was scored on its own.
    assert sorted(inner.batches[0]) == ["also fine", "boom", "fine"], inner.batches
    assert sorted(map(tuple, inner.batches[1:])) == [("also fine",), ("boom",), ("fine",)], inner.batches


def test_the_rows_of_a_request_scored_alone_are_its_own() -> None:
    inner = LengthScorer(fail_on="boom")
    batcher = BatchingScorer(scorer=inner, max_wait_ms=60_000)
    batcher.start()
    try:
        results = _run_together(batcher, [["x" * 7, "y" * 3], ["z" * 20]])
        barrier = threading.Barrier(2)

        def one(texts: list[str]) -> CategoryScores | str:
            with batcher.active():
                barrier.wait()
                try:
                    return batcher.score(texts)
                except ValueError as exc:
                    return str(exc)

        with ThreadPoolExecutor(2) as pool:
            mixed = list(pool.map(one, [["boom"], ["q" * 42, "r" * 5]]))
    finally:
        batcher.close()
    assert [r.probs[:, 0].tolist() for r in results] == [pytest.approx([0.07, 0.03]), pytest.approx([0.2])]
    assert mixed[0] == "cannot score 'boom'"
    assert isinstance(mixed[1], CategoryScores) and mixed[1].probs[:, 0].tolist() == pytest.approx([0.42, 0.05])


def test_unstarted_batcher_scores_directly_and_forwards_attributes() -> None:
    inner = LengthScorer()
    batcher = BatchingScorer(scorer=inner)
    assert batcher.score(["abc"]).probs[0, 0] == pytest.approx(0.03)
    assert batcher.version == "len-1"
    assert batcher.category_ids == ("a", "b")
