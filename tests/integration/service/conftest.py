"""Fixtures: the packaged Guard (loaded once), a real uvicorn server on 127.0.0.1 per database
backend (a real SQLite file, a real PostgreSQL database), and tenants with API keys.

PostgreSQL comes from ``PERSONAGUARD_TEST_POSTGRES_URL`` (``source .ci/postgres.sh``); without
it the postgres half is skipped locally and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import pytest
import uvicorn

from pg_database import throwaway_database

from personaguard.record import repos
from personaguard.score.base import CategoryScores
from personaguard.record.db import make_engine, make_sessions, session_scope, upgrade
from personaguard.service.app import create_app
from personaguard.service.settings import Settings

@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on the test server, dropped afterwards."""
    with throwaway_database("pg_test") as url:
        yield url


@pytest.fixture(scope="session")
def guard() -> Any:
    """The packaged Guard, loaded once for the whole run (apps copy it, never mutate it)."""
    from personaguard import Guard
    from personaguard.errors import ConfigError

    try:
        return Guard()
    except ConfigError:
        if os.environ.get("PERSONAGUARD_TEST_DEV_SCORER") != "1":
            raise
        from personaguard.taxonomy import load_taxonomy

        return Guard(scorer=KeywordScorer(tuple(load_taxonomy().ids)))



class KeywordScorer:  # only for PERSONAGUARD_TEST_DEV_SCORER=1 (before the artifacts exist)
    """p = 0.95 for a category whose first id segment appears in the text, else 0.02."""

    version = "dev-keyword"

    def __init__(self, category_ids: tuple[str, ...]) -> None:
        self.category_ids = category_ids

    def score(self, texts: list[str]) -> CategoryScores:
        probs = np.full((len(texts), len(self.category_ids)), 0.02)
        for i, t in enumerate(texts):
            for j, c in enumerate(self.category_ids):
                if "/" not in c and (c in t.lower() or (c == "violence" and "kill" in t.lower())):
                    probs[i, j] = 0.95
        return CategoryScores(self.category_ids, probs, probs.max(axis=1), np.ones(len(texts), dtype=np.int64))


@dataclass
class LiveServer:
    """A uvicorn server running ``create_app(settings)`` in a thread on a free loopback port."""

    url: str
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_server(settings: Settings, guard: Any) -> LiveServer:
    """Start uvicorn on 127.0.0.1:0 and wait until it listens."""
    config = uvicorn.Config(create_app(settings, guard=guard), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start; see the log above")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return LiveServer(f"http://127.0.0.1:{port}", settings, server, thread)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One real database per backend: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'service.db'}"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture(scope="session")
def live(database_url: str, guard: Any) -> Iterator[LiveServer]:
    """The service on a real socket, one per database backend."""
    server = start_server(Settings(database_url=database_url, max_body_bytes=100_000), guard)
    yield server
    server.stop()


@dataclass(frozen=True)
class TenantKey:
    """A tenant created straight in the database, and its API key."""

    id: str
    name: str
    key: str


def make_tenant(database_url: str, *, store_text: bool = False, register_unknown_users: bool = True) -> TenantKey:
    """Create a tenant with a unique name in ``database_url``."""
    engine = make_engine(database_url, pool_size=1)
    try:
        upgrade(engine)
        with session_scope(make_sessions(engine)) as session:
            new = repos.create_tenant(session, name=f"t-{uuid.uuid4().hex[:10]}", store_text=store_text,
                                      register_unknown_users=register_unknown_users)
    finally:
        engine.dispose()
    return TenantKey(new.tenant.id, new.tenant.name, new.api_key)


@pytest.fixture
def tenant_factory(live: LiveServer) -> Any:
    """``tenant_factory(store_text=...)`` creates another tenant in the live server's database."""
    return lambda store_text=False: make_tenant(live.settings.database_url, store_text=store_text)


@pytest.fixture
def tenant(live: LiveServer) -> TenantKey:
    """A fresh tenant (hashes-only retention) in the live server's database."""
    return make_tenant(live.settings.database_url)


@pytest.fixture
def other_tenant(live: LiveServer) -> TenantKey:
    """A second tenant, for isolation tests."""
    return make_tenant(live.settings.database_url)


@pytest.fixture
def api(live: LiveServer, tenant: TenantKey) -> Iterator[httpx.Client]:
    """An HTTP client authenticated as ``tenant``."""
    with live.client(tenant.key) as client:
        yield client
