"""A real scorer made to crash on a marker text: fault injection for the isolation tests."""

from __future__ import annotations

from typing import Any

from personaguard.score.base import CategoryScores

MARKER = "POISON-PILL"


class FailsOnMarker:
    """Wraps a real scorer; raises on any batch holding ``MARKER``; records each batch's size."""

    def __init__(self, inner: Any, *, detail: str = "simulated scorer crash") -> None:
        self.inner = inner
        self.category_ids = inner.category_ids
        self.version = inner.version
        self.detail = detail
        self.calls: list[int] = []

    def score(self, texts: list[str]) -> CategoryScores:
        self.calls.append(len(texts))
        if any(MARKER in t for t in texts):
            raise RuntimeError(self.detail)
        return self.inner.score(texts)  # type: ignore[no-any-return]
