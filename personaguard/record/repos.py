"""Repository functions: the only code that queries the tables.

Every function is keyword-only and scoped by ``tenant_id`` (except tenant creation and key
lookup, which are how a tenant id is obtained), so no caller can read across tenants by
forgetting a filter. The audit log has ``append_decisions`` and ``list_decisions`` only.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from personaguard.errors import ConfigError, UnknownIdError
from personaguard.record.tables import ApiKey, AuditDecision, Feedback, Profile, Tenant

__all__ = [
    "get_or_register_profile",
    "set_tenant_policy",
    "TenantInfo",
    "NewTenant",
    "StoredProfile",
    "FeedbackRecord",
    "NewDecision",
    "DecisionRecord",
    "hash_key",
    "sha256_text",
    "create_tenant",
    "tenant_for_key",
    "put_profile",
    "get_profile",
    "delete_profile",
    "tenant_by_name",
    "add_feedback",
    "list_feedback",
    "append_decisions",
    "list_decisions",
    "get_decision",
    "feedback_event_ids",
    "list_profiles",
    "tenant_by_id",
    "set_tenant_policy_by_id",
]

_KEY_PREFIX = "pgk_"


@dataclass(frozen=True)
class TenantInfo:
    """A tenant as the service needs it: id, name and whether decisions keep their text."""

    id: str
    name: str
    store_text: bool
    register_unknown_users: bool = True
    policy: dict[str, object] | None = None


@dataclass(frozen=True)
class NewTenant:
    """A freshly created tenant and its API key (shown once, stored only hashed)."""

    tenant: TenantInfo
    api_key: str


@dataclass(frozen=True)
class StoredProfile:
    """A stored profile document and whether this write created it."""

    user_id: str
    document: dict[str, object]
    updated_at: datetime
    is_new: bool = False


@dataclass(frozen=True)
class FeedbackRecord:
    """One stored feedback event."""

    id: int
    user_id: str
    text: str
    should: str
    context: str | None
    source: str
    client_event_id: str | None
    is_learned: bool
    created_at: datetime


@dataclass(frozen=True)
class NewDecision:
    """What the audit log keeps about one decision (the text may be dropped by retention)."""

    request_id: str
    user_id: str | None
    text: str
    outcome: str
    flagged: bool
    p_any: float
    scores: dict[str, float]
    risks: dict[str, float]
    thresholds: dict[str, dict[str, object]] = field(default_factory=dict)
    model_version: str = "unknown"


@dataclass(frozen=True)
class DecisionRecord:
    """One audit-log row as read back."""

    id: int
    request_id: str
    user_id: str | None
    created_at: datetime
    text: str | None
    text_sha256: str
    outcome: str
    flagged: bool
    p_any: float
    scores: dict[str, float]
    risks: dict[str, float]
    thresholds: dict[str, dict[str, object]]
    model_version: str


def hash_key(api_key: str) -> str:
    """SHA-256 hex digest of an API key (keys carry 256 random bits, so no salt is needed)."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def _storable(text: str | None) -> str | None:
    """Text as every store can keep it: PostgreSQL's text type refuses NUL, so NUL becomes U+FFFD.

    The hash of a decision's text is taken before, over the text as it came.
    """
    return None if text is None else text.replace("\x00", "\ufffd")


def sha256_text(text: str) -> str:
    """SHA-256 hex digest of a text, kept in the audit log whatever the retention."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def create_tenant(
    session: Session, *, name: str, store_text: bool = False, register_unknown_users: bool = True
) -> NewTenant:
    """Create a tenant with one API key; raises ConfigError if the name is taken.

    ``register_unknown_users``: a moderation request naming a user id the tenant never stored
    registers it with the tenant's default policy (True, as OpenAI's free ``user`` field
    expects), or is refused with 404 (False).
    """
    if not name.strip():
        raise ConfigError("tenant name must not be empty", source="tenant")
    if session.scalar(select(Tenant.id).where(Tenant.name == name)) is not None:
        raise ConfigError(f"a tenant named {name!r} already exists; pick another name", source="tenant")
    tenant = Tenant(id=uuid.uuid4().hex, name=name, store_text=store_text, created_at=_now(),
                    register_unknown_users=register_unknown_users)
    api_key = _KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(tenant)
    session.flush()
    session.add(ApiKey(key_sha256=hash_key(api_key), tenant_id=tenant.id, prefix=api_key[:8], created_at=_now()))
    return NewTenant(TenantInfo(tenant.id, tenant.name, tenant.store_text, tenant.register_unknown_users), api_key)


def _tenant_info(row: Tenant) -> TenantInfo:
    return TenantInfo(row.id, row.name, row.store_text, row.register_unknown_users, row.policy)


def _tenant_row(session: Session, *, tenant_id: str | None = None, name: str | None = None) -> Tenant:
    """The tenant row by id or by name; UnknownIdError (kind ``"tenant"``) when there is none."""
    row = session.get(Tenant, tenant_id) if tenant_id is not None else session.scalar(select(Tenant).where(Tenant.name == name))
    if row is None:
        raise UnknownIdError("tenant", str(tenant_id if tenant_id is not None else name))
    return row


def tenant_for_key(session: Session, *, api_key: str) -> TenantInfo:
    """The tenant owning ``api_key``; raises UnknownIdError (kind ``"api key"``) otherwise."""
    row = session.execute(
        select(Tenant).join(ApiKey, ApiKey.tenant_id == Tenant.id).where(ApiKey.key_sha256 == hash_key(api_key))
    ).scalar_one_or_none()
    if row is None:
        raise UnknownIdError("api key", api_key[:8] + "...")
    return _tenant_info(row)


def tenant_by_name(session: Session, *, name: str) -> TenantInfo:
    """The tenant called ``name``; raises UnknownIdError (kind ``"tenant"``) otherwise."""
    return _tenant_info(_tenant_row(session, name=name))


def tenant_by_id(session: Session, *, tenant_id: str) -> TenantInfo:
    """The tenant with this id (a console session names it); raises UnknownIdError otherwise."""
    return _tenant_info(_tenant_row(session, tenant_id=tenant_id))


def _store_policy(session: Session, row: Tenant, policy: dict[str, object] | None) -> TenantInfo:
    row.policy = policy
    session.flush()
    return _tenant_info(row)


def set_tenant_policy_by_id(session: Session, *, tenant_id: str, policy: dict[str, object] | None) -> TenantInfo:
    """Store a tenant's own decision policy document by tenant id (the console's policy page)."""
    return _store_policy(session, _tenant_row(session, tenant_id=tenant_id), policy)


def set_tenant_policy(session: Session, *, tenant_name: str, policy: dict[str, object] | None) -> TenantInfo:
    """Store a tenant's own decision policy document (None restores the default)."""
    return _store_policy(session, _tenant_row(session, name=tenant_name), policy)


def put_profile(session: Session, *, tenant_id: str, user_id: str, document: dict[str, object]) -> StoredProfile:
    """Create or replace a profile document."""
    row = session.get(Profile, (tenant_id, user_id))
    is_new = row is None
    if row is None:
        row = Profile(tenant_id=tenant_id, user_id=user_id, document=document, updated_at=_now())
        session.add(row)
    else:
        row.document = document
        row.updated_at = _now()
    session.flush()
    return StoredProfile(user_id, dict(row.document), row.updated_at, is_new)


def get_profile(session: Session, *, tenant_id: str, user_id: str) -> StoredProfile:
    """A stored profile; UnknownIdError if it does not exist *for this tenant*."""
    row = session.get(Profile, (tenant_id, user_id))
    if row is None:
        raise UnknownIdError("user", user_id)
    return StoredProfile(user_id, dict(row.document), row.updated_at)


def get_or_register_profile(session: Session, *, tenant_id: str, user_id: str) -> StoredProfile:
    """The stored profile, or a new one holding only the id (``is_new`` True).

    Two requests registering the same new id at once both succeed: the loser of the insert
    reads the winner's row (a savepoint keeps the caller's transaction usable).
    """
    row = session.get(Profile, (tenant_id, user_id))
    if row is not None:
        return StoredProfile(user_id, dict(row.document), row.updated_at)
    try:
        with session.begin_nested():
            new = Profile(tenant_id=tenant_id, user_id=user_id, document={"id": user_id}, updated_at=_now())
            session.add(new)
        return StoredProfile(user_id, dict(new.document), new.updated_at, True)
    except IntegrityError:
        return get_profile(session, tenant_id=tenant_id, user_id=user_id)


def list_profiles(
    session: Session, *, tenant_id: str, prefix: str = "", limit: int = 100, after: str | None = None
) -> list[StoredProfile]:
    """A tenant's profiles in user-id order, optionally those whose id starts with ``prefix``."""
    query = select(Profile).where(Profile.tenant_id == tenant_id)
    if prefix:
        query = query.where(Profile.user_id.startswith(prefix, autoescape=True))
    if after is not None:
        query = query.where(Profile.user_id > after)
    rows = session.scalars(query.order_by(Profile.user_id).limit(limit))
    return [StoredProfile(r.user_id, dict(r.document), r.updated_at) for r in rows]


def delete_profile(session: Session, *, tenant_id: str, user_id: str) -> None:
    """Delete a profile (its feedback and decisions stay, as the audit trail requires)."""
    row = session.get(Profile, (tenant_id, user_id))
    if row is None:
        raise UnknownIdError("user", user_id)
    session.delete(row)


def add_feedback(
    session: Session,
    *,
    tenant_id: str,
    user_id: str,
    text: str,
    should: str,
    context: str | None = None,
    source: str = "user",
    client_event_id: str | None = None,
    is_learned: bool = False,
) -> FeedbackRecord:
    """Store one feedback event; durable once the surrounding transaction commits."""
    row = Feedback(
        tenant_id=tenant_id,
        user_id=user_id,
        text=_storable(text),
        should=should,
        context=_storable(context),
        source=source,
        client_event_id=_storable(client_event_id),
        is_learned=is_learned,
        created_at=_now(),
    )
    session.add(row)
    session.flush()
    return _feedback_record(row)


def _feedback_record(row: Feedback) -> FeedbackRecord:
    return FeedbackRecord(
        row.id, row.user_id, row.text, row.should, row.context, row.source, row.client_event_id, row.is_learned,
        row.created_at,
    )


def list_feedback(session: Session, *, tenant_id: str, user_id: str | None = None) -> list[FeedbackRecord]:
    """Every feedback event of a tenant (optionally of one user), oldest first."""
    query = select(Feedback).where(Feedback.tenant_id == tenant_id)
    if user_id is not None:
        query = query.where(Feedback.user_id == user_id)
    return [_feedback_record(r) for r in session.scalars(query.order_by(Feedback.id))]


def feedback_event_ids(session: Session, *, tenant_id: str, prefix: str) -> set[str]:
    """Client event ids of a tenant's feedback that start with ``prefix`` (what the console reviewed)."""
    rows = session.scalars(
        select(Feedback.client_event_id).where(
            Feedback.tenant_id == tenant_id, Feedback.client_event_id.startswith(prefix, autoescape=True)
        )
    )
    return {r for r in rows if r is not None}


def append_decisions(
    session: Session, *, tenant_id: str, store_text: bool, decisions: Sequence[NewDecision]
) -> list[int]:
    """Append decisions to the audit log; the text is kept only when ``store_text``."""
    now = _now()
    rows = [
        AuditDecision(
            tenant_id=tenant_id,
            user_id=d.user_id,
            request_id=d.request_id,
            created_at=now,
            text=_storable(d.text) if store_text else None,
            text_sha256=sha256_text(d.text),
            outcome=d.outcome,
            flagged=d.flagged,
            p_any=d.p_any,
            scores=d.scores,
            risks=d.risks,
            thresholds=d.thresholds,
            model_version=d.model_version,
        )
        for d in decisions
    ]
    session.add_all(rows)
    session.flush()
    return [r.id for r in rows]


def list_decisions(
    session: Session,
    *,
    tenant_id: str,
    user_id: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
    outcomes: Sequence[str] = (),
    text_contains: str | None = None,
    since: datetime | None = None,
) -> list[DecisionRecord]:
    """Audit-log rows of a tenant, newest first; page with ``before_id``.

    ``outcomes`` keeps only those outcomes, ``text_contains`` rows whose stored text holds the
    words (case-insensitive; rows of hashes-only tenants have none), ``since`` rows created then
    or later.
    """
    query = select(AuditDecision).where(AuditDecision.tenant_id == tenant_id)
    if user_id is not None:
        query = query.where(AuditDecision.user_id == user_id)
    if before_id is not None:
        query = query.where(AuditDecision.id < before_id)
    if outcomes:
        query = query.where(AuditDecision.outcome.in_(list(outcomes)))
    if text_contains:
        query = query.where(AuditDecision.text.icontains(text_contains, autoescape=True))
    if since is not None:
        query = query.where(AuditDecision.created_at >= since)
    rows = session.scalars(query.order_by(AuditDecision.id.desc()).limit(limit))
    return [_decision_record(r) for r in rows]


def _decision_record(r: AuditDecision) -> DecisionRecord:
    return DecisionRecord(
        r.id, r.request_id, r.user_id, r.created_at, r.text, r.text_sha256, r.outcome, r.flagged, r.p_any,
        dict(r.scores), dict(r.risks), dict(r.thresholds), r.model_version,
    )


def get_decision(session: Session, *, tenant_id: str, decision_id: int) -> DecisionRecord:
    """One audit-log row; UnknownIdError if it does not exist *for this tenant*."""
    row = session.get(AuditDecision, decision_id)
    if row is None or row.tenant_id != tenant_id:
        raise UnknownIdError("decision", str(decision_id))
    return _decision_record(row)
