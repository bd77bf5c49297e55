"""The :class:`Runtime`: one hookgate installation in one process.

Everything that would otherwise be global lives on a runtime (settings,
plugins, database, caches, metrics), so several can coexist in one process:
tests, and services that embed hookgate.

Use it as an async context manager (or call :meth:`start`/:meth:`stop`)::

    async with Runtime() as runtime:
        ...
"""

from __future__ import annotations

import asyncio
import gc
from functools import cached_property
from types import TracebackType

from hookgate.config import Settings, load_settings
from hookgate.crypto import SecretBox, load_secret_box
from hookgate.metrics import Metrics
from hookgate.plugins import PluginManager
from hookgate.source_cache import SourceCache
from hookgate.store.database import Database
from hookgate.store.migrate import migrate
from hookgate.store.writer import EventWriter, open_writer


class Runtime:
    """Settings, plugins, store and caches of one installation.

    :param settings: defaults to :func:`hookgate.config.load_settings`.
    :param plugins: a ready plugin manager (tests, embedding services);
        defaults to loading the installed providers selected by
        ``HOOKGATE_PROVIDERS``.
    """

    def __init__(
        self, settings: Settings | None = None, *, plugins: PluginManager | None = None
    ) -> None:
        self.settings = settings if settings is not None else load_settings()
        self.plugins = (
            plugins if plugins is not None else PluginManager(self.settings.provider_selection)
        )
        self.sources = SourceCache(self)
        self.metrics = Metrics()
        self.work_ready = asyncio.Event()
        self._started = False

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    @cached_property
    def secret_box(self) -> SecretBox:
        key = self.settings.secret_key.get_secret_value() if self.settings.secret_key else None
        path = self.db.sqlite_path
        return load_secret_box(key, path.with_name("hookgate.key") if path else None)

    @cached_property
    def writer(self) -> EventWriter:
        return open_writer(self.db, on_commit=self.work_ready.set)

    def source_url(self, source_id: str, url_secret: str) -> str:
        """The receiving URL of a source: absolute when ``HOOKGATE_PUBLIC_URL`` is set."""
        return f"{self.settings.public_url.rstrip('/')}/hooks/{source_id}/{url_secret}"

    async def start(self) -> None:
        """Bring the schema up to date and start the event writer."""
        if self._started:
            return
        self.secret_box  # noqa: B018 - fail at start, not at the first webhook
        await migrate(self.db)
        self.writer.start()
        self._started = True

    async def stop(self) -> None:
        if not self._started:
            return
        await self.writer.stop()
        await self.db.dispose()
        self._started = False

    async def __aenter__(self) -> Runtime:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def freeze_startup_heap() -> None:
    """Keep everything alive now out of the garbage collector's view, for good.

    After startup a process holds a large heap that lives as long as it does
    (SQLAlchemy, pydantic models, plugins, schemas: about 130,000 objects).
    Every full collection walks all of it, 40-60 ms with the event loop stopped
    (measured under ingest load); frozen, it is never walked again. For the
    processes hookgate owns (``serve``, ``worker``): an embedding application
    decides about its own heap.
    """
    gc.collect()
    gc.freeze()
