"""Cross-cutting dependencies (state, tenant, request id) as short ``Annotated`` aliases."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from personaguard.errors import UnknownIdError
from personaguard.record import repos
from personaguard.record.db import session_scope
from personaguard.service.batching import BatchingScorer
from personaguard.service.errors import AuthError
from personaguard.service.metrics import ServiceMetrics
from personaguard.service.settings import Settings

if TYPE_CHECKING:
    from personaguard.guard import Guard

__all__ = ["ServiceState", "AppState", "CurrentTenant", "RequestId", "UserLocks"]


class UserLocks:
    """Striped locks so two feedback events for one user update the profile one after the other."""

    def __init__(self, n_stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(n_stripes)]

    def for_user(self, tenant_id: str, user_id: str) -> threading.Lock:
        """The lock guarding (tenant, user)."""
        return self._locks[hash((tenant_id, user_id)) % len(self._locks)]


@dataclass
class ServiceState:
    """What the routes need, built once in the app's lifespan."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    guard: Guard
    batcher: BatchingScorer
    metrics: ServiceMetrics
    accepts_user: bool
    learner_error: str | None = None
    user_locks: UserLocks = field(default_factory=UserLocks)


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.personaguard
    return state


AppState = Annotated[ServiceState, Depends(_state)]

_bearer = HTTPBearer(auto_error=False, description="The tenant's API key: `Authorization: Bearer KEY`.")


def _tenant(
    state: AppState, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> repos.TenantInfo:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise AuthError("missing API key; send `Authorization: Bearer KEY` (see `personaguard admin create-tenant`)")
    try:
        with session_scope(state.sessions) as session:
            return repos.tenant_for_key(session, api_key=credentials.credentials)
    except UnknownIdError as exc:
        raise AuthError("wrong API key; check the key printed by `personaguard admin create-tenant`") from exc


CurrentTenant = Annotated[repos.TenantInfo, Depends(_tenant)]


def _request_id(request: Request) -> str:
    rid: str = getattr(request.state, "request_id", "") or "no-request-id"
    return rid


RequestId = Annotated[str, Depends(_request_id)]
