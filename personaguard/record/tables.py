"""SQLAlchemy 2 typed table mappings; every tenant-owned row carries ``tenant_id``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "Tenant", "ApiKey", "Profile", "Feedback", "AuditDecision"]

# SQLite only auto-increments INTEGER PRIMARY KEY, PostgreSQL wants BIGINT for long-lived logs.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base shared by every table (and by the Alembic migrations)."""


class Tenant(Base):
    """A customer of the service; owns keys, profiles, feedback and decisions."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    store_text: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: What an unknown ``user`` id in a moderation request does: register it (True) or 404.
    register_unknown_users: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    #: The tenant's own DecisionPolicy document; None: the packaged default.
    policy: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)


class ApiKey(Base):
    """An API key, stored only as its SHA-256 digest (keys are random, so no salt is needed)."""

    __tablename__ = "api_keys"

    key_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Profile(Base):
    """A user profile as a validated JSON document, keyed by (tenant, user id)."""

    __tablename__ = "profiles"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    document: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Feedback(Base):
    """One feedback event: this text should have been allowed / blocked for this user."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    user_id: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    should: Mapped[str] = mapped_column(String(8))
    context: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    client_event_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    is_learned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_feedback_tenant_user", "tenant_id", "user_id", "id"),)


class AuditDecision(Base):
    """One recorded decision; append-only (no update or delete anywhere in the code)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    user_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    request_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_sha256: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(8))
    flagged: Mapped[bool] = mapped_column(Boolean)
    p_any: Mapped[float] = mapped_column(Float)
    scores: Mapped[dict[str, float]] = mapped_column(JSON)
    risks: Mapped[dict[str, float]] = mapped_column(JSON)
    thresholds: Mapped[dict[str, dict[str, object]]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_decisions_tenant_user", "tenant_id", "user_id", "id"),
        Index("ix_decisions_tenant_id", "tenant_id", "id"),
        Index("ix_decisions_tenant_outcome", "tenant_id", "outcome", "id"),
    )
