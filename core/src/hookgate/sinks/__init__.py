"""The built-in run sinks, ``log`` and ``http``, and choosing the configured one.

This module is a plugin registered by default (see
:data:`hookgate.plugins.DEFAULT_PLUGINS`): its :func:`run_sinks` hook offers

- ``log`` always: one JSON line per run on stdout (the default sink);
- ``http`` when ``HOOKGATE_SINK_URL`` is set, or when ``HOOKGATE_SINK=http``,
  in which case a missing URL or secret is a :class:`~hookgate.ConfigurationError`
  raised at start-up rather than a failure on every run.

:func:`select_sink` picks ``HOOKGATE_SINK`` among everything plugins offer.
A sink raising :class:`SinkError` says whether retrying can help.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from hookgate import hookimpl
from hookgate.config import Settings
from hookgate.errors import ConfigurationError
from hookgate.sinks.errors import SinkError, is_retryable_status, parse_retry_after
from hookgate.sinks.http import HttpSink
from hookgate.sinks.log import LogSink
from hookgate.types import RunSink

log = logging.getLogger("hookgate.sinks")


@hookimpl
def run_sinks(settings: Settings) -> list[RunSink]:
    """Offer ``log``, and ``http`` when it is configured or chosen."""
    sinks: list[RunSink] = [LogSink()]
    http = _http_sink(settings)
    if http is not None:
        sinks.append(http)
    return sinks


def _http_sink(settings: Settings) -> HttpSink | None:
    if settings.sink.strip() == HttpSink.name:
        # The chosen sink: a configuration mistake must stop start-up, not fail each run.
        return HttpSink.from_settings(settings)
    if not settings.sink_url.strip():
        return None
    try:
        return HttpSink.from_settings(settings)
    except ConfigurationError as exc:
        # Not the chosen sink, so a half-finished http setup must not stop the one in use.
        log.warning("the http sink is not offered: %s", exc)
        return None


def select_sink(sinks: Mapping[str, RunSink], settings: Settings) -> RunSink:
    """The sink ``HOOKGATE_SINK`` names among ``sinks`` (what plugins offer, by name).

    Raises :class:`~hookgate.ConfigurationError` naming the available sinks
    and how to fix the setting.
    """
    name = settings.sink.strip()
    found = sinks.get(name)
    if found is not None:
        return found
    available = ", ".join(sorted(sinks)) or "none"
    if name == HttpSink.name:
        fix = "the http sink needs HOOKGATE_SINK_URL (and HOOKGATE_SINK_SECRET): set them"
    else:
        fix = (
            "set HOOKGATE_SINK to one of these, or install and enable the plugin "
            f"that offers {name!r}"
        )
    raise ConfigurationError(
        f"HOOKGATE_SINK={name!r} is not an available sink (available: {available}); {fix}"
    )


__all__ = [
    "HttpSink",
    "LogSink",
    "SinkError",
    "is_retryable_status",
    "parse_retry_after",
    "run_sinks",
    "select_sink",
]
