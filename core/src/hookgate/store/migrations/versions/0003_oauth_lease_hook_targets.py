"""oauth refresh lease, remote hook targets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import hookgate.store.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oauth_connections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refresh_lease_until", hookgate.store.models.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("remote_hooks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "target",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                nullable=False,
                server_default="{}",  # rows made before keep only the target's type and name
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("remote_hooks", schema=None) as batch_op:
        batch_op.drop_column("target")
    with op.batch_alter_table("oauth_connections", schema=None) as batch_op:
        batch_op.drop_column("refresh_lease_until")
