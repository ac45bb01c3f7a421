"""Engines, sessions and migrations; the one place that knows about database drivers.

Connection failures become :class:`StoreUnavailableError` here, so the service can answer 503
with Retry-After; ``pool_pre_ping`` lets it recover by itself once the database is back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from personaguard.errors import ConfigError, StoreUnavailableError

__all__ = ["normalize_url", "make_engine", "make_sessions", "session_scope", "upgrade", "ping"]

log = logging.getLogger(__name__)


def normalize_url(url: str) -> str:
    """Pick the psycopg 3 driver for plain ``postgresql://`` URLs; refuse unsupported backends."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with no common base  # noqa: BLE001
        raise ConfigError(f"database URL {url!r} is not valid: {exc}", source="database_url") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"database backend {backend!r} is not supported; use sqlite:///path.db or postgresql://...",
            source="database_url",
        )
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; NORMAL sync in WAL mode survives a killed
    # process (only a power cut can lose the last commits); busy_timeout queues writers.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str, *, pool_size: int = 16) -> Engine:
    """An engine for ``url`` (SQLite file in WAL mode, or PostgreSQL through psycopg 3)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=pool_size, max_overflow=16
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=16,
        pool_timeout=5,
        connect_args={"connect_timeout": 3},
    )


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """Session factory; objects stay readable after commit (routes format them afterwards)."""
    return sessionmaker(engine, expire_on_commit=False)


def _is_unavailable(exc: DBAPIError) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated


@contextmanager
def session_scope(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error, 503-able error when the DB is gone."""
    try:
        with sessions.begin() as session:
            yield session
    except DBAPIError as exc:
        if _is_unavailable(exc):
            raise StoreUnavailableError(f"the database cannot be reached ({type(exc.orig).__name__}); retry later") from exc
        raise


def ping(engine: Engine) -> None:
    """Raise :class:`StoreUnavailableError` unless the database answers ``SELECT 1``."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        raise StoreUnavailableError(f"the database cannot be reached ({type(exc.orig).__name__}); retry later") from exc


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the packaged Alembic migrations up to ``revision`` (works from an installed wheel)."""
    from alembic import command
    from alembic.config import Config

    script_location = resources.files("personaguard.record") / "migrations"
    config = Config()
    config.set_main_option("script_location", str(script_location))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except DBAPIError as exc:
        if _is_unavailable(exc):
            raise StoreUnavailableError(f"the database cannot be reached ({type(exc.orig).__name__}); retry later") from exc
        raise
