"""oauth states bound to a browser, confirmed before activation

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import hookgate.store.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_hash", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("token_enc", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "account",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("confirmed_at", hookgate.store.models.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        for column in ("confirmed_at", "account", "token_enc", "browser_hash"):
            batch_op.drop_column(column)
