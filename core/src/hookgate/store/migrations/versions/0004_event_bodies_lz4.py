"""event bodies compressed with lz4 on PostgreSQL

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 13:00:00.000000

PostgreSQL compresses large values (TOAST) with pglz unless told otherwise;
for ~20 KB webhook bodies that compression was the largest single cost of an
insert. lz4 (PostgreSQL 14 and later, when the server is built with it) took
ingest on PostgreSQL from ~2,900 to ~4,000 req/s in bench/ingest.py. Older
or lz4-less servers keep pglz; SQLite stores bodies as they are. Existing
values stay as they were compressed; new ones use lz4.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LZ4_AVAILABLE = text(
    "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
)


def _lz4_available() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bind.execute(_LZ4_AVAILABLE).first() is not None


def upgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE events ALTER COLUMN body SET COMPRESSION lz4")


def downgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE events ALTER COLUMN body SET COMPRESSION DEFAULT")
