"""Per-row users of a batch job: profiles from a file or from the service's store.

A row's ``user`` column names a profile; the row is then decided for that person exactly as
``POST /v1/moderations`` decides for a stored user: the same profile validation (and the
self-description parsed the same way), the tenant's own decision policy, and, for a tenant that
registers unknown users, an unknown id decided with an empty profile (the service would
register it; a batch job only reads the store). An id no source knows is an error row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from personaguard.errors import BatchJobError, ConfigError, UnknownIdError

if TYPE_CHECKING:
    from personaguard.decide.policy import DecisionPolicy
    from personaguard.guard import Guard
    from personaguard.profile.profile import UserProfile

__all__ = ["FileProfiles", "ProfileSource", "StoreProfiles", "load_profile_documents"]


class ProfileSource(Protocol):
    """Where a job looks users up (one instance per worker process)."""

    def profile(self, guard: Guard, user_id: str) -> UserProfile:
        """The profile of ``user_id``; raises UnknownIdError when there is none."""
        ...

    def decision_policy(self) -> DecisionPolicy | None:
        """The policy rows are decided under (a tenant's own), None for the guard's default."""
        ...


def _to_profile(guard: Guard, user_id: str, document: dict[str, Any]) -> UserProfile:
    from personaguard.service.profiles import parse_self_description, to_profile, validate_document

    body = parse_self_description(guard, user_id, document)
    profile = to_profile(validate_document(user_id, body, taxonomy=guard.taxonomy), taxonomy=guard.taxonomy)
    return profile  # type: ignore[return-value]


def load_profile_documents(path: str | Path) -> dict[str, dict[str, Any]]:
    """Profile documents by user id, from YAML or JSON(L).

    Accepted shapes: a list of profiles (each with ``id``), a mapping ``id -> profile``, one
    profile with ``id``, or JSONL with one profile per line.

    Raises
    ------
    BatchJobError
        If the file cannot be read or parsed, or a profile has no string ``id``.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchJobError(f"{p}: cannot read the profiles file: {exc}") from exc
    try:
        if p.suffix.lower() in (".jsonl", ".ndjson"):
            data: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            data = yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise BatchJobError(f"{p}: not valid {'JSONL' if p.suffix.lower() != '.yaml' else 'YAML'}: {exc}") from exc
    if isinstance(data, dict) and "id" in data:
        data = [data]
    if isinstance(data, dict):
        data = [{**(doc or {}), "id": key} for key, doc in data.items()]
    if not isinstance(data, list):
        raise BatchJobError(f"{p}: expected a list of profiles or a mapping id -> profile")
    out: dict[str, dict[str, Any]] = {}
    for i, doc in enumerate(data):
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            raise BatchJobError(f"{p}: profile {i} has no string 'id'")
        out[doc["id"]] = doc
    return out


@dataclass
class FileProfiles:
    """Profiles from a YAML/JSONL file, validated on first use (an invalid one is an error row)."""

    documents: dict[str, dict[str, Any]]
    _cache: dict[str, UserProfile] = field(default_factory=dict, repr=False)

    @classmethod
    def from_path(cls, path: str | Path) -> FileProfiles:
        """Read ``path`` (see :func:`load_profile_documents`)."""
        return cls(load_profile_documents(path))

    def profile(self, guard: Guard, user_id: str) -> UserProfile:
        if user_id not in self._cache:
            if user_id not in self.documents:
                raise UnknownIdError("user", user_id)
            self._cache[user_id] = _to_profile(guard, user_id, self.documents[user_id])
        return self._cache[user_id]

    def decision_policy(self) -> DecisionPolicy | None:
        return None


@dataclass
class StoreProfiles:
    """Profiles of one tenant in the service's database (SQLite or PostgreSQL), read only."""

    database_url: str
    tenant: str
    _sessions: Any = field(default=None, repr=False)
    _info: Any = field(default=None, repr=False)
    _cache: dict[str, UserProfile] = field(default_factory=dict, repr=False)

    def _open(self) -> None:
        if self._sessions is not None:
            return
        from personaguard.record import repos
        from personaguard.record.db import make_engine, make_sessions, session_scope

        self._sessions = make_sessions(make_engine(self.database_url, pool_size=1))
        with session_scope(self._sessions) as session:
            try:
                self._info = repos.tenant_by_name(session, name=self.tenant)
            except UnknownIdError as exc:
                raise BatchJobError(f"no tenant {self.tenant!r} in the store") from exc

    def profile(self, guard: Guard, user_id: str) -> UserProfile:
        from personaguard.record import repos
        from personaguard.record.db import session_scope

        self._open()
        if user_id not in self._cache:
            with session_scope(self._sessions) as session:
                try:
                    document = repos.get_profile(session, tenant_id=self._info.id, user_id=user_id).document
                except UnknownIdError:
                    if not self._info.register_unknown_users:
                        raise
                    document = {"id": user_id}  # what the service registers
            self._cache[user_id] = _to_profile(guard, user_id, dict(document))
        return self._cache[user_id]

    def decision_policy(self) -> DecisionPolicy | None:
        from personaguard.decide.policy import DecisionPolicy

        self._open()
        if self._info.policy is None:
            return None
        try:
            return DecisionPolicy.model_validate(self._info.policy)
        except ValueError as exc:
            raise ConfigError(f"tenant {self.tenant!r} has an invalid decision policy: {exc}") from exc
