"""The :class:`Runtime`: one hookgate installation in one process.

Everything that would otherwise be global lives on a runtime (settings,
plugins, database, caches, metrics), so several can coexist in one process:
tests, and services that embed hookgate.

Use it as an async context manager (or call :meth:`start`/:meth:`stop`)::

    async with Runtime() as runtime:
        ...

Embedding services register their own plugins (a sink, an authenticator) in
the constructor, ``Runtime(settings, register=[sink, auth])``, and run the
app's lifespan from theirs with :func:`hookgate.lifespan` (docs/embedding.md).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable, Sequence
from functools import cached_property
from types import TracebackType
from urllib.parse import urlsplit

from hookgate.config import Settings, load_settings
from hookgate.crypto import SecretBox, load_secret_box
from hookgate.errors import ConfigurationError
from hookgate.markers import hookimpl
from hookgate.metrics import Metrics
from hookgate.plugins import PluginManager
from hookgate.source_cache import SourceCache
from hookgate.startup import database_problem
from hookgate.store.database import Database
from hookgate.store.migrate import migrate
from hookgate.store.writer import EventWriter, open_writer
from hookgate.types import RunSink


class Runtime:
    """Settings, plugins, store and caches of one installation.

    :param settings: defaults to :func:`hookgate.config.load_settings`.
    :param plugins: a ready plugin manager (tests, embedding services);
        defaults to loading the installed providers selected by
        ``HOOKGATE_PROVIDERS``.
    :param register: in-process plugins, registered with :meth:`register`.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        plugins: PluginManager | None = None,
        register: Iterable[object] = (),
    ) -> None:
        self.settings = settings if settings is not None else load_settings()
        self.plugins = (
            plugins if plugins is not None else PluginManager(self.settings.provider_selection)
        )
        self.sources = SourceCache(self)
        self.metrics = Metrics()
        self.work_ready = asyncio.Event()
        #: The ASGI ``root_path`` the app was last called under (a mount prefix).
        self.root_path = ""
        self._started = False
        self.register(*register)

    def register(self, *plugins: object) -> Runtime:
        """Register in-process plugins: objects with ``@hookimpl`` methods (an
        ``authenticate`` hook, event observers, ``run_sinks``), or sink objects
        (a ``name`` and an async ``deliver``), which are offered as sinks.

        Select a registered sink with ``HOOKGATE_SINK`` (``Settings(sink=...)``).
        A misspelt or per-provider hook raises :class:`~hookgate.ProviderContractError`.
        """
        for plugin in plugins:
            if isinstance(plugin, RunSink) and not _has_hookimpls(plugin):
                plugin = _SinkPlugin([plugin])
            self.plugins.register(plugin, name=f"in-process:{id(plugin):x}")
        return self

    @property
    def started(self) -> bool:
        """Whether :meth:`start` ran (and :meth:`stop` did not): the store can be written."""
        return self._started

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
        """The receiving URL of a source: absolute when ``HOOKGATE_PUBLIC_URL`` is set.

        Its path is ``HOOKGATE_PUBLIC_URL``'s when that has one (``https://x/hookgate``),
        else the mount prefix the app is served under (the ASGI ``root_path``).
        """
        base = self.settings.public_url.rstrip("/")
        if not urlsplit(base).path:
            base += self.root_path.rstrip("/")
        return f"{base}/hooks/{source_id}/{url_secret}"

    async def start(self) -> None:
        """Check the database answers, bring the schema up to date, start the event writer.

        :raises ConfigurationError: the database cannot be reached (which host, what to check).
        """
        if self._started:
            return
        self.secret_box  # noqa: B018 - fail at start, not at the first webhook
        problem = await database_problem(self.db)
        if problem is not None:
            raise ConfigurationError(problem)
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


class _SinkPlugin:
    """Offers sink objects given to :meth:`Runtime.register` through ``run_sinks``."""

    def __init__(self, sinks: Sequence[RunSink]) -> None:
        self._sinks = list(sinks)

    @hookimpl
    def run_sinks(self, settings: Settings) -> list[RunSink]:
        return self._sinks


def _has_hookimpls(plugin: object) -> bool:
    return any(
        hasattr(getattr(plugin, name, None), "hookgate_impl")
        for name in dir(plugin)
        if not name.startswith("__")
    )


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
