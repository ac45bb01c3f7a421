"""A migrated database per backend for the repository tests: a SQLite file, and a fresh
PostgreSQL database when ``PERSONAGUARD_TEST_POSTGRES_URL`` is set (required under CI=true)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from personaguard.record.db import make_engine, upgrade


def _postgres_url() -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    raw = os.environ.get("PERSONAGUARD_TEST_POSTGRES_URL")
    if not raw:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("PERSONAGUARD_TEST_POSTGRES_URL is not set but CI=true: run `source .ci/postgres.sh` first")
        pytest.skip("PERSONAGUARD_TEST_POSTGRES_URL not set (run `source .ci/postgres.sh`)")
    base = make_url(raw)
    name = f"pg_unit_{uuid.uuid4().hex[:12]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
