"""Bring the schema to the newest Alembic revision.

Called at start-up by every hookgate process; on PostgreSQL an advisory lock
makes concurrent starts wait for each other instead of racing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from hookgate.store.database import Database

MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_ID = 0x686F6F6B  # "hook"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    command.upgrade(alembic_config(connection), "head")


async def migrate(database: Database) -> None:
    """Apply every pending migration."""
    async with database.engine.begin() as conn:
        await conn.run_sync(_upgrade)
