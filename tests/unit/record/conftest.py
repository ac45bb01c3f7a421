"""A migrated database per backend for the repository tests: a SQLite file, and a fresh
PostgreSQL database when ``PERSONAGUARD_TEST_POSTGRES_URL`` is set (required under CI=true)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pg_database import throwaway_database
from sqlalchemy import Engine

from personaguard.record.db import make_engine, upgrade


def _postgres_url() -> Iterator[str]:
    with throwaway_database("pg_unit") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Engine]:
    """A freshly migrated engine."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path}/record.db"])
    else:
        urls = _postgres_url()
    url = next(urls)
    eng = make_engine(url, pool_size=2)
    upgrade(eng)
    yield eng
    eng.dispose()
    next(urls, None)
