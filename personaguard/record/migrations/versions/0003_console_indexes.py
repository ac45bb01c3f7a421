"""Indexes for the console: a tenant's audit log newest first, and by outcome (review queue).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_decisions_tenant_id", "decisions", ["tenant_id", "id"])
    op.create_index("ix_decisions_tenant_outcome", "decisions", ["tenant_id", "outcome", "id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_tenant_outcome", table_name="decisions")
    op.drop_index("ix_decisions_tenant_id", table_name="decisions")
