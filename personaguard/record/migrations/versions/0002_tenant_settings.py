"""Tenant settings: what an unknown ``user`` id does, and the tenant's own decision policy.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # True: register the id with the tenant's default policy (OpenAI's `user` needs no sign-up).
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("register_unknown_users", sa.Boolean(), nullable=False, server_default=sa.true()))
        # A DecisionPolicy document (personaguard/decide/policy.yaml's shape); NULL: the default.
        batch.add_column(sa.Column("policy", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("policy")
        batch.drop_column("register_unknown_users")
