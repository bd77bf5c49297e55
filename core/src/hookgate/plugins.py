"""Plugin loading and the typed wrappers core uses to call hooks.

There is no global plugin manager: each :class:`~hookgate.Runtime` owns one
:class:`PluginManager`. Providers come from the ``hookgate.providers`` entry
points (filtered by ``HOOKGATE_PROVIDERS``); plugins with cross-cutting hooks
only (a sink, an authenticator, a generator) from ``hookgate.plugins``; core's
own cross-cutting plugins (the built-in sinks) are registered first, as
ordinary plugins.

A plugin that fails to import, whose hooks do not match the specs (a misspelt
hook name included: pluggy's ``check_pending``), or, for a provider, whose
identity or schemas are wrong is recorded as broken with the reason and left
out; the others load normally.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Literal

import pluggy

from hookgate import hookspecs
from hookgate.config import Settings
from hookgate.errors import ProviderContractError, UnknownProviderError
from hookgate.provider_hooks import ProviderHooks
from hookgate.types import (
    EventNotice,
    EventSchema,
    FilterGenerator,
    Headers,
    Principal,
    ProviderInfo,
    RunSink,
)

log = logging.getLogger("hookgate.plugins")

#: Core's own plugins (cross-cutting hooks only), registered before providers.
DEFAULT_PLUGINS: tuple[str, ...] = ("hookgate.sinks", "hookgate.generation.backend")

Status = Literal["ok", "broken", "disabled"]


@dataclass(frozen=True)
class ProviderRecord:
    """One installed provider as ``hookgate providers`` shows it."""

    name: str
    distribution: str | None
    version: str | None
    status: Status
    reason: str = ""
    info: ProviderInfo | None = None
    event_types: tuple[str, ...] = ()
    #: The cross-cutting hooks a ``hookgate.plugins`` plugin implements (empty for providers).
    hooks: tuple[str, ...] = ()

    @property
    def status_text(self) -> str:
        return f"broken: {self.reason}" if self.status == "broken" else self.status


@dataclass
class _Loaded:
    hooks: ProviderHooks
    record: ProviderRecord
    schemas: dict[str, EventSchema] = field(default_factory=dict)


class PluginManager:
    """Loads plugins and hands out typed hook callers.

    :param selection: provider names to enable; ``None`` enables every
        installed provider. Installed but unselected ones show as ``disabled``.
    :param entry_points: load providers from installed entry points (turn off
        in tests that register plugins by hand).
    :param builtins: module paths of core plugins to register first.
    """

    def __init__(
        self,
        selection: Iterable[str] | None = None,
        *,
        entry_points: bool = True,
        builtins: Sequence[str] = DEFAULT_PLUGINS,
    ) -> None:
        self._selection = frozenset(selection) if selection is not None else None
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._providers: dict[str, _Loaded] = {}
        self._records: dict[str, ProviderRecord] = {}
        self._plugin_records: dict[str, ProviderRecord] = {}
        for path in builtins:
            self.pm.register(importlib.import_module(path), name=path)
        if entry_points:
            self.load_entry_points()

    # -- loading --------------------------------------------------------------

    def load_entry_points(self) -> None:
        """Discover providers (``hookgate.providers``) and plugins (``hookgate.plugins``)."""
        importlib.invalidate_caches()
        self._load_providers()
        self._load_plugins()
        self.pm.check_pending()  # every plugin was checked one by one; this is the backstop

    def _load_providers(self) -> None:
        for ep in metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP):
            if ep.name in self._records:
                continue
            dist, version = _origin(ep)
            if self._selection is not None and ep.name not in self._selection:
                self._records[ep.name] = ProviderRecord(ep.name, dist, version, "disabled")
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                self._broken(ep.name, dist, version, f"import failed: {type(exc).__name__}: {exc}")
                continue
            self.add_provider(plugin, ep.name, distribution=dist, version=version)

    def add_provider(
        self,
        plugin: object,
        name: str,
        *,
        distribution: str | None = None,
        version: str | None = None,
    ) -> ProviderRecord:
        """Register ``plugin`` as the provider ``name`` after checking its contract.

        Embedding services and tests use this for providers that are not
        installed as distributions. Returns the record; a broken provider is
        recorded, not raised.
        """
        try:
            self.pm.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            return self._broken(name, distribution, version, f"invalid hooks: {exc}")
        try:
            loaded = self._validate(plugin, name, distribution, version)
        except ProviderContractError as exc:
            self.pm.unregister(plugin)
            return self._broken(name, distribution, version, str(exc))
        except Exception as exc:  # a provider bug at load time (a missing data file, ...)
            self.pm.unregister(plugin)
            reason = f"failed while loading: {type(exc).__name__}: {exc}"
            return self._broken(name, distribution, version, reason)
        self._providers[name] = loaded
        self._records[name] = loaded.record
        return loaded.record

    def _load_plugins(self) -> None:
        for ep in metadata.entry_points(group=hookspecs.PLUGIN_ENTRY_POINT_GROUP):
            if ep.name in self._plugin_records:
                continue
            dist, version = _origin(ep)
            try:
                plugin = ep.load()
                self.register(plugin, name=f"plugin:{ep.name}")
            except Exception as exc:
                why = f"{type(exc).__name__}: {exc}"
                log.warning("plugin %s is broken and was not loaded: %s", ep.name, why)
                record = ProviderRecord(ep.name, dist, version, "broken", reason=why)
            else:
                hooks = tuple(sorted(_hookimpls_of(self.pm, plugin)))
                record = ProviderRecord(ep.name, dist, version, "ok", hooks=hooks)
            self._plugin_records[ep.name] = record

    def _broken(self, name: str, dist: str | None, version: str | None, why: str) -> ProviderRecord:
        log.warning("provider %s is broken and was not loaded: %s", name, why)
        record = ProviderRecord(name, dist, version, "broken", reason=why)
        self._records[name] = record
        return record

    def _validate(
        self, plugin: object, name: str, dist: str | None, version: str | None
    ) -> _Loaded:
        impls = _hookimpls_of(self.pm, plugin)
        _check_known(impls)
        missing = sorted(hookspecs.REQUIRED_HOOKS - set(impls))
        if missing:
            raise ProviderContractError(f"missing required hooks {missing}")
        hooks = ProviderHooks(name, impls)
        info = hooks.provider_info()
        if info.name != name:
            raise ProviderContractError(
                f"provider_info().name is {info.name!r} but the plugin is registered as {name!r}"
            )
        if info.needs_oauth:
            missing = sorted(hookspecs.REQUIRED_OAUTH_HOOKS - set(impls))
            if missing:
                raise ProviderContractError(f"needs_oauth is set but hooks {missing} are missing")
        schemas = {s.event_type: s for s in hooks.event_schemas()}
        record = ProviderRecord(name, dist, version, "ok", info=info, event_types=tuple(schemas))
        return _Loaded(hooks=hooks, record=record, schemas=schemas)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin with cross-cutting hooks only (sinks, observers, auth).

        Raises :class:`~hookgate.ProviderContractError` (and registers nothing)
        when the plugin implements a hook that does not exist (a misspelling)
        or a per-provider hook; :class:`pluggy.PluginValidationError` when a
        hook asks for an argument the spec does not have.
        """
        self.pm.register(plugin, name=name)
        impls = _hookimpls_of(self.pm, plugin)
        try:
            _check_known(impls)
        except ProviderContractError as exc:
            self.pm.unregister(plugin)
            raise ProviderContractError(f"plugin {name or plugin!r} {exc}") from None
        per_provider = hookspecs.PER_PROVIDER_HOOKS & set(impls)
        if per_provider:
            self.pm.unregister(plugin)
            raise ProviderContractError(
                f"plugin {name or plugin!r} implements provider hooks {sorted(per_provider)}: "
                "register it with add_provider() or through the hookgate.providers entry point"
            )

    # -- lookup ---------------------------------------------------------------

    def provider(self, name: str) -> ProviderHooks:
        """The typed hook caller of an enabled, healthy provider."""
        try:
            return self._providers[name].hooks
        except KeyError:
            raise UnknownProviderError(name, sorted(self._providers)) from None

    def schemas(self, name: str) -> Mapping[str, EventSchema]:
        """The event schemas of a provider, by event type (loaded once)."""
        self.provider(name)
        return self._providers[name].schemas

    def info(self, name: str) -> ProviderInfo:
        """The identity of an enabled provider (read once at load)."""
        info = self._providers[name].record.info if name in self._providers else None
        if info is None:
            raise UnknownProviderError(name, sorted(self._providers))
        return info

    def records(self) -> list[ProviderRecord]:
        """Every provider seen: ok, broken and disabled, sorted by name."""
        return [self._records[n] for n in sorted(self._records)]

    def plugin_records(self) -> list[ProviderRecord]:
        """Every ``hookgate.plugins`` entry point seen: ok or broken, sorted by name."""
        return [self._plugin_records[n] for n in sorted(self._plugin_records)]

    @property
    def enabled(self) -> list[str]:
        return sorted(self._providers)

    # -- cross-cutting hooks (typed) -----------------------------------------------

    def run_sinks(self, settings: Settings) -> dict[str, RunSink]:
        """Every sink offered by any plugin, by name; a duplicate name is an error."""
        sinks: dict[str, RunSink] = {}
        for offered in self.pm.hook.run_sinks(settings=settings):
            for sink in offered:
                if not isinstance(sink, RunSink):
                    raise ProviderContractError(f"run_sinks() returned {sink!r}, not a RunSink")
                if sink.name in sinks:
                    raise ProviderContractError(f"two plugins offer a sink named {sink.name!r}")
                sinks[sink.name] = sink
        return sinks

    def event_notice(self, notice: EventNotice) -> None:
        """Tell every observer; one failing observer never stops the others or the caller."""
        for impl in self.pm.hook.event_notice.get_hookimpls():
            try:
                impl.function(*({"notice": notice}[a] for a in impl.argnames))
            except Exception:
                log.exception("event observer %s failed", impl.plugin_name)

    def authenticate(self, headers: Headers, method: str, path: str) -> Principal | None:
        """The principal a plugin recognises, or ``None`` to fall back to API keys."""
        found = self.pm.hook.authenticate(headers=headers, method=method, path=path)
        if found is not None and not isinstance(found, Principal):
            raise ProviderContractError(f"authenticate() returned {found!r}, not a Principal")
        return found

    def filter_generator(self, settings: Settings) -> FilterGenerator | None:
        """The first filter generator a plugin offers."""
        found = self.pm.hook.filter_generator(settings=settings)
        if found is not None and not isinstance(found, FilterGenerator):
            raise ProviderContractError(f"filter_generator() returned {found!r}")
        return found


def _spec_names() -> list[str]:
    return [
        n
        for n, f in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(f, "hookgate_spec")
    ]


def _origin(ep: metadata.EntryPoint) -> tuple[str | None, str | None]:
    """The distribution and version an entry point comes from (``None`` when unknown)."""
    return (ep.dist.name, ep.dist.version) if ep.dist else (None, None)


def _check_known(impls: Mapping[str, pluggy.HookImpl]) -> None:
    """Refuse hook names that are in no spec: a misspelt hook would never be called."""
    known = _spec_names()
    unknown = sorted(set(impls) - set(known))
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=1)
        hints.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    raise ProviderContractError(
        f"implements unknown hooks {unknown}: {', '.join(hints)}; rename them to a hook "
        "listed in hookgate.hookspecs, or drop the @hookimpl marker"
    )


def _hookimpls_of(pm: pluggy.PluginManager, plugin: object) -> dict[str, pluggy.HookImpl]:
    """The plugin's hook implementations by hook name, including unknown names."""
    found: dict[str, pluggy.HookImpl] = {}
    for caller in pm.get_hookcallers(plugin) or []:
        for impl in caller.get_hookimpls():
            if impl.plugin is plugin:
                found[caller.name] = impl
    return found


__all__ = ["DEFAULT_PLUGINS", "PluginManager", "ProviderRecord"]
