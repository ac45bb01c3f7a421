"""Fixtures for the personalize stage: one toy-scored Guard per run (real encoder and KB)."""

from __future__ import annotations

import pytest
from toy_scorer import make_toy_guard


@pytest.fixture(scope="session")
def toy_guard():  # type: ignore[no-untyped-def]
    return make_toy_guard()


@pytest.fixture(scope="session")
def parser(toy_guard):  # type: ignore[no-untyped-def]
    return toy_guard.vulnerability_parser()


@pytest.fixture(scope="session")
def taxonomy(toy_guard):  # type: ignore[no-untyped-def]
    return toy_guard.taxonomy
