"""Service settings: one pydantic-settings class read from ``PERSONAGUARD_*`` variables."""

from __future__ import annotations

from pydantic import SecretStr, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from personaguard.record.db import normalize_url

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the service can be configured with; passed to ``create_app(settings)``."""

    model_config = SettingsConfigDict(env_prefix="PERSONAGUARD_", extra="forbid", frozen=True)

    database_url: str = Field(
        default="sqlite:///personaguard.db",
        description="SQLAlchemy URL: sqlite:///path.db (WAL mode) or postgresql://user@host/db.",
    )
    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port to listen on (0: any free port).")
    max_body_bytes: int = Field(default=1_000_000, ge=1, description="Larger request bodies get 413.")
    batch_max_wait_ms: float = Field(
        default=3.0, ge=0.0, le=100.0, description="Longest a text waits for others to share a scorer batch."
    )
    batch_max_texts: int = Field(default=64, ge=1, description="Most texts in one scorer batch.")
    worker_threads: int = Field(default=96, ge=1, description="Threads serving blocking work (DB, model).")
    retry_after_s: int = Field(default=5, ge=1, description="Retry-After sent with 503 when the DB is down.")
    auth_cache_s: float = Field(default=30.0, ge=0.0, description="How long a resolved API key is remembered.")
    monitor_window: int = Field(default=500, ge=0, le=20_000,
                                description="Recent decisions kept in memory per tenant for GET /v1/monitor (0: off).")
    console_secret: SecretStr | None = Field(
        default=None, description="Signs console session cookies (>= 16 bytes); unset: a random key per process, so "
        "sessions end when it restarts and do not carry across workers.")
    console_session_s: int = Field(default=8 * 3600, ge=60, le=30 * 86400, description="Console session lifetime.")
    console_secure_cookie: bool = Field(default=False, description="Mark the console cookie Secure (behind HTTPS).")

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return normalize_url(value)
