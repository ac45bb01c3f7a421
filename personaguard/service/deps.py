"""Cross-cutting dependencies (state, tenant, request id) as short ``Annotated`` aliases."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from personaguard.errors import UnknownIdError
from personaguard.record import repos
from personaguard.record.db import session_scope
from personaguard.service.audit import AuditWriter
from personaguard.service.batching import BatchingScorer
from personaguard.service.errors import AuthError
from personaguard.service.metrics import ServiceMetrics
from personaguard.service.monitor_window import TenantWindows
from personaguard.service.settings import Settings

if TYPE_CHECKING:
    from personaguard.guard import Guard

__all__ = ["ServiceState", "AppState", "CurrentTenant", "RequestId", "UserLocks", "TenantCache"]


class UserLocks:
    """Striped locks so two feedback events for one user update the profile one after the other."""

    def __init__(self, n_stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(n_stripes)]

    def for_user(self, tenant_id: str, user_id: str) -> threading.Lock:
        """The lock guarding (tenant, user)."""
        return self._locks[hash((tenant_id, user_id)) % len(self._locks)]


class TenantCache:
    """Recently seen API keys (by digest) and their tenants, so most requests skip the lookup.

    Only keys that resolved are cached; an entry lives ``ttl_s`` seconds, so a key removed from
    the database stops working within that time.
    """

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[float, repos.TenantInfo]] = {}

    def get(self, digest: str) -> repos.TenantInfo | None:
        """The cached tenant for a key digest, if fresh."""
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def clear(self) -> None:
        """Forget every resolved key (a tenant's settings changed)."""
        self._entries.clear()

    def put(self, digest: str, tenant: repos.TenantInfo) -> None:
        """Remember a key that resolved."""
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[digest] = (time.monotonic() + self.ttl_s, tenant)


@dataclass
class ServiceState:
    """What the routes need, built once in the app's lifespan."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    guard: Guard
    batcher: BatchingScorer
    audit: AuditWriter
    metrics: ServiceMetrics
    accepts_user: bool
    learner_error: str | None = None
    user_locks: UserLocks = field(default_factory=UserLocks)
    tenant_cache: TenantCache = field(default_factory=lambda: TenantCache(30.0))
    windows: TenantWindows = field(default_factory=lambda: TenantWindows(500))
    console: Any = None  # SessionCodec of the operators' console (service/console/sessions.py)


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.personaguard
    return state


AppState = Annotated[ServiceState, Depends(_state)]

_bearer = HTTPBearer(auto_error=False, description="The tenant's API key: `Authorization: Bearer KEY`.")


def _lookup_tenant(state: ServiceState, api_key: str) -> repos.TenantInfo:
    try:
        with session_scope(state.sessions) as session:
            return repos.tenant_for_key(session, api_key=api_key)
    except UnknownIdError as exc:
        raise AuthError("wrong API key; check the key printed by `personaguard admin create-tenant`") from exc


async def _tenant(
    state: AppState, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> repos.TenantInfo:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise AuthError("missing API key; send `Authorization: Bearer KEY` (see `personaguard admin create-tenant`)")
    digest = repos.hash_key(credentials.credentials)
    tenant = state.tenant_cache.get(digest)
    if tenant is None:
        tenant = await run_in_threadpool(_lookup_tenant, state, credentials.credentials)
        state.tenant_cache.put(digest, tenant)
    return tenant


CurrentTenant = Annotated[repos.TenantInfo, Depends(_tenant)]


def _request_id(request: Request) -> str:
    rid: str = getattr(request.state, "request_id", "") or "no-request-id"
    return rid


RequestId = Annotated[str, Depends(_request_id)]
