"""Throwaway PostgreSQL databases for the store tests (shared by the record and service suites).

The server comes from ``PERSONAGUARD_TEST_POSTGRES_URL`` (``source .ci/postgres.sh``); without it
PostgreSQL tests are skipped locally and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGRES_ENV = "PERSONAGUARD_TEST_POSTGRES_URL"


def postgres_base_url() -> str:
    """The test server's URL, or skip (locally) / fail (in CI) when there is none."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{POSTGRES_ENV} is not set but CI=true: run `source .ci/postgres.sh` first")
        pytest.skip(f"{POSTGRES_ENV} not set (run `source .ci/postgres.sh`)")
    return url


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """Create a fresh database on the test server, yield its URL, drop it afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(postgres_base_url())
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
