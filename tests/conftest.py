"""Shared fixtures: expensive objects load once per test run."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def guard():  # type: ignore[no-untyped-def]
    """The packaged Guard (MiniLM + trained heads), loaded once."""
    from personaguard import Guard

    return Guard()


@pytest.fixture(scope="session")
def encoder():  # type: ignore[no-untyped-def]
    """The packaged MiniLM encoder, loaded once (shared with the guard)."""
    from personaguard.score.encoder import MiniLMEncoder

    return MiniLMEncoder()
