"""Engines and migrations: URL handling, WAL mode, packaged migrations, unreachable databases."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import Engine, inspect, text

from personaguard.errors import ConfigError, StoreUnavailableError
from personaguard.record.db import make_engine, normalize_url, ping, upgrade


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u:p@h:5/db", "postgresql+psycopg://u:p@h:5/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_urls_get_the_psycopg_driver(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        normalize_url(url)


def test_migrations_create_every_table_and_are_idempotent(engine: Engine) -> None:
    upgrade(engine)  # a second run is a no-op
    names = set(inspect(engine).get_table_names())
    assert {"tenants", "api_keys", "profiles", "feedback", "decisions", "alembic_version"} <= names
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
    tenant_columns = {c["name"] for c in inspect(engine).get_columns("tenants")}
    assert {"register_unknown_users", "policy"} <= tenant_columns


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/wal.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_unreachable_postgres_is_store_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    engine = make_engine(f"postgresql://nobody@127.0.0.1:{port}/none")
    with pytest.raises(StoreUnavailableError, match="retry later"):
        ping(engine)
    with pytest.raises(StoreUnavailableError):
        upgrade(engine)
