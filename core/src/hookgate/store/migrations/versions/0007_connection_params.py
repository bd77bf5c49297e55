"""oauth connections: the parameters an admin gave (endpoints on the account's own host)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("oauth_connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params", json, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("oauth_connections", schema=None) as batch_op:
        batch_op.drop_column("params")
