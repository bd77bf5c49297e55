"""The start-up banner of ``hookgate serve`` and ``hookgate worker`` (only on a terminal).

What an operator checks first: which providers are on, which database, where
the encryption key comes from, where runs go, what URL senders are given.
Never a secret: the database password is hidden, keys are only counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from hookgate.startup import sqlite_file
from hookgate.version import __version__

if TYPE_CHECKING:
    from hookgate.runtime import Runtime


def banner_lines(runtime: Runtime, *, listen: str | None = None, worker: bool = True) -> list[str]:
    """The banner, one ``label  value`` line each."""
    settings, plugins = runtime.settings, runtime.plugins
    others = [r for r in plugins.records() if r.status != "ok"]
    providers = ", ".join(plugins.enabled) or "none"
    if others:
        providers += " (" + ", ".join(f"{r.name} {r.status}" for r in others) + ")"
    sink = settings.sink
    if sink == "http":
        sink += f" → {_without_credentials(settings.sink_url)}"
    rows = [
        ("providers", providers),
        ("database", make_url(runtime.settings.database_url).render_as_string(hide_password=True)),
        ("key", key_source(runtime)),
        ("sink", sink),
        ("public URL", settings.public_url or "not set: source URLs are relative paths"),
    ]
    if listen is not None:
        rows.append(("listening", listen + ("" if worker else " (ingest only, --no-worker)")))
    if settings.metrics_port is not None:
        rows.append(("metrics", f"http://{settings.metrics_host}:{settings.metrics_port}/metrics"))
    width = max(len(label) for label, _ in rows)
    return [f"hookgate {__version__}", *(f"  {label:<{width}}  {value}" for label, value in rows)]


def key_source(runtime: Runtime) -> str:
    """Where the key for secrets at rest comes from (never the key itself)."""
    secret = runtime.settings.secret_key
    if secret is not None and secret.get_secret_value().strip():
        count = len([k for k in secret.get_secret_value().split(",") if k.strip()])
        return f"HOOKGATE_SECRET_KEY ({count} key{'s' if count > 1 else ''})"
    path = sqlite_file(runtime.settings.database_url)
    return f"key file {path.with_name('hookgate.key')}" if path else "none"


def _without_credentials(url: str) -> str:
    """A sink URL may carry a token in its user part or query: show where it goes only."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"


__all__ = ["banner_lines", "key_source"]
