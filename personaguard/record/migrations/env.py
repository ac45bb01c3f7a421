"""Alembic environment: runs on the connection handed in by ``personaguard.record.db.upgrade``."""

from __future__ import annotations

from alembic import context

from personaguard.record.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable from the bare alembic CLI
    raise RuntimeError("run migrations through personaguard.record.db.upgrade(engine)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
