"""Alembic owns the schema: migrations apply to a populated database and match the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hookgate.store.database import Database
from hookgate.store.migrate import alembic_config, migrate
from hookgate.store.models import Base
from sqlalchemy import Connection, text

pytestmark = pytest.mark.anyio


async def test_upgrade_keeps_existing_rows_and_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0001"))
            await conn.execute(
                text(
                    "INSERT INTO workspaces (id, name, created_at) "
                    "VALUES ('ws_1', 'w', '2026-01-01')"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO sources (id, workspace_id, provider, name, url_secret_enc, "
                    "secrets_enc, config, events, schema_policy, status, created_at, updated_at) "
                    "VALUES ('src_1', 'ws_1', 'custom', 's', 'x', 'y', '{}', '[]', 'record', "
                    "'active', '2026-01-01', '2026-01-01')"
                )
            )
        await migrate(db)
        await migrate(db)  # idempotent
        async with db.engine.connect() as conn:
            targets = (await conn.execute(text("SELECT targets FROM sources"))).scalar_one()
            drift = await conn.run_sync(_drift)
        assert targets in ([], "[]")
        assert drift == [], f"models and migrations differ; add a migration: {drift}"
    finally:
        await db.dispose()


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return list(compare_metadata(context, Base.metadata))


async def test_event_bodies_use_lz4_on_postgresql(postgres_url: str) -> None:
    db = Database(postgres_url)
    try:
        await migrate(db)
        async with db.engine.connect() as conn:
            available = (
                await conn.execute(
                    text(
                        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                        "AND 'lz4' = ANY(enumvals)"
                    )
                )
            ).first()
            method = (
                await conn.execute(
                    text(
                        "SELECT attcompression::text FROM pg_attribute "
                        "WHERE attrelid = 'events'::regclass AND attname = 'body'"
                    )
                )
            ).scalar_one()
        assert method == ("l" if available else "")
    finally:
        await db.dispose()
