"""Validators for the schemas attached to sources, cached until a schema changes.

Dispatch asks once per event whose provider has no schema for its type. The
question costs one indexed lookup of the row's id and ``updated_at`` (its
fingerprint); the schema itself is read and compiled only when that changed,
so attaching, replacing or deleting a schema takes effect at the next event,
in every worker process.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from jsonschema.protocols import Validator
from sqlalchemy import select

from hookgate.schemas import build_validator
from hookgate.store.models import SourceSchema

if TYPE_CHECKING:
    from hookgate.store.database import Database

log = logging.getLogger("hookgate.dispatch")

Fingerprint = tuple[str, datetime]


class AttachedSchemas:
    """(source id, event type) → validator of the schema attached there."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._validators: dict[tuple[str, str], tuple[Fingerprint, Validator | None]] = {}

    async def validator(self, source_id: str, event_type: str) -> Validator | None:
        key = (source_id, event_type)
        where = (SourceSchema.source_id == source_id, SourceSchema.event_type == event_type)
        async with self._db.session() as session:
            found = await session.execute(
                select(SourceSchema.id, SourceSchema.updated_at).where(*where)
            )
            row = found.first()
            if row is None:
                self._validators.pop(key, None)
                return None
            fingerprint: Fingerprint = (row[0], row[1])
            cached = self._validators.get(key)
            if cached is not None and cached[0] == fingerprint:
                return cached[1]
            schema = await session.scalar(select(SourceSchema.json_schema).where(*where))
        if schema is None:  # deleted between the two reads
            return None
        validator = _compile(source_id, event_type, schema)
        self._validators[key] = (fingerprint, validator)
        return validator


def _compile(source_id: str, event_type: str, schema: object) -> Validator | None:
    # Schemas are checked when attached; one that still fails (edited in the
    # database, say) must not stop dispatch, so it is logged and skipped.
    try:
        return build_validator(schema if isinstance(schema, dict) else {})
    except Exception as exc:
        log.warning("schema of %s on source %s is unusable: %s", event_type, source_id, exc)
        return None
