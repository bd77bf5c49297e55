"""remote hooks: when each was last refreshed (hooks that expire)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hookgate.store.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remote_hooks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refreshed_at", hookgate.store.models.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("remote_hooks", schema=None) as batch_op:
        batch_op.drop_column("refreshed_at")
