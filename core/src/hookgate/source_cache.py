"""Sources as the ingest path needs them: decrypted, validated, cached.

The cache answers from memory on the hot path. Entries expire after a few
seconds (so a change made by another process is seen soon) and are dropped at
once when this process changes the source.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hookgate.store.models import Source, utcnow
from hookgate.types import SourceContext

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

TTL_SECONDS = 5.0

log = logging.getLogger("hookgate.sources")


@dataclass(frozen=True, slots=True)
class StoredSecret:
    secret: str
    expires_at: datetime | None = None


@dataclass(slots=True)
class SourceRecord:
    """One source, decrypted, with what ingest and dispatch read."""

    id: str
    workspace_id: str
    provider: str
    name: str
    url_secret: str
    secrets: tuple[StoredSecret, ...]
    config: dict[str, Any]
    events: tuple[str, ...]
    schema_policy: str
    status: str
    verified: bool
    url: str
    connection_id: str | None = None
    loaded_at: float = field(default_factory=time.monotonic)
    _steady: SourceContext | None = field(default=None, repr=False, compare=False)

    def context(self, now: datetime | None = None) -> SourceContext:
        """What providers see: only secrets that still verify at ``now``."""
        if self._steady is not None:
            return self._steady
        moment = now or utcnow()
        live = tuple(
            s.secret for s in self.secrets if s.expires_at is None or s.expires_at > moment
        )
        context = SourceContext(
            id=self.id,
            provider=self.provider,
            name=self.name,
            url=self.url,
            secrets=live,
            config=self.config,
            events=self.events,
            workspace_id=self.workspace_id,
            connection_id=self.connection_id,
        )
        if all(s.expires_at is None for s in self.secrets):
            self._steady = context  # the same at every moment: build it once per load
        return context


def encode_secrets(secrets: list[StoredSecret]) -> str:
    return json.dumps(
        [
            {"secret": s.secret, "expires_at": s.expires_at.isoformat() if s.expires_at else None}
            for s in secrets
        ]
    )


def decode_secrets(text: str) -> tuple[StoredSecret, ...]:
    return tuple(
        StoredSecret(
            item["secret"],
            datetime.fromisoformat(item["expires_at"]) if item["expires_at"] else None,
        )
        for item in json.loads(text)
    )


def _retrieve(task: asyncio.Task[SourceRecord | None]) -> None:
    if not task.cancelled():
        task.exception()


#: What :func:`hookgate.store.models.new_id` makes for sources; anything else is unknown.
SOURCE_ID = re.compile(r"src_[a-z2-7]{26}", re.ASCII)


class SourceCache:
    """Source id → :class:`SourceRecord`, loaded once per TTL.

    An expired entry is still answered while one background load refreshes it
    (a change made elsewhere is seen within about a TTL, as before), and
    concurrent misses share one load: at thousands of deliveries a second an
    expiry must not send every request in flight to the database at once.
    """

    def __init__(self, runtime: Runtime, ttl: float = TTL_SECONDS) -> None:
        self._runtime = runtime
        self._ttl = ttl
        self._entries: dict[str, SourceRecord] = {}
        self._missing_at: dict[str, float] = {}
        self._loading: dict[str, asyncio.Task[SourceRecord | None]] = {}
        # Bumped by invalidate(): a load that began before a change must not store.
        self._generation: dict[str, int] = {}

    def invalidate(self, source_id: str) -> None:
        self._entries.pop(source_id, None)
        self._missing_at.pop(source_id, None)
        self._generation[source_id] = self._generation.get(source_id, 0) + 1

    async def get(self, source_id: str) -> SourceRecord | None:
        """The source, or ``None`` when there is none. An id that is not one hookgate could
        have made costs no database read; an unknown one costs one per TTL."""
        if not SOURCE_ID.fullmatch(source_id):
            return None
        now = time.monotonic()
        entry = self._entries.get(source_id)
        if entry is not None:
            if now - entry.loaded_at >= self._ttl:
                self._start_load(source_id)  # answer from the entry meanwhile
            return entry
        if source_id in self._missing_at and now - self._missing_at[source_id] < self._ttl:
            return None
        return await asyncio.shield(self._start_load(source_id))

    def _start_load(self, source_id: str) -> asyncio.Task[SourceRecord | None]:
        task = self._loading.get(source_id)
        if task is None:
            task = asyncio.create_task(self._load_and_store(source_id))
            # A background refresh may have nobody awaiting it; its failure is logged.
            task.add_done_callback(_retrieve)
            self._loading[source_id] = task
        return task

    async def _load_and_store(self, source_id: str) -> SourceRecord | None:
        generation = self._generation.get(source_id, 0)
        try:
            record = await self.load(source_id)
        except Exception:
            if source_id in self._entries:  # keep answering from the entry; retry later
                log.warning("reloading source %s failed", source_id, exc_info=True)
                return self._entries[source_id]
            raise
        finally:
            self._loading.pop(source_id, None)
        if self._generation.get(source_id, 0) != generation:
            return record  # changed meanwhile: the next get() loads again
        if record is None:
            self._entries.pop(source_id, None)
            self._missing_at[source_id] = time.monotonic()
            if len(self._missing_at) > 10_000:  # unknown ids are attacker-chosen
                self._missing_at.clear()
        else:
            self._entries[source_id] = record
        return record

    async def load(self, source_id: str) -> SourceRecord | None:
        async with self._runtime.db.session() as session:
            row = await session.scalar(select(Source).where(Source.id == source_id))
        return None if row is None else self.record(row)

    def record(self, row: Source) -> SourceRecord:
        box = self._runtime.secret_box
        url_secret = box.decrypt(row.url_secret_enc)
        return SourceRecord(
            id=row.id,
            workspace_id=row.workspace_id,
            provider=row.provider,
            name=row.name,
            url_secret=url_secret,
            secrets=decode_secrets(box.decrypt(row.secrets_enc)),
            config=dict(row.config or {}),
            events=tuple(row.events or ()),
            schema_policy=row.schema_policy,
            status=row.status,
            verified=row.verified_at is not None,
            url=self._runtime.source_url(row.id, url_secret),
            connection_id=row.connection_id,
        )
