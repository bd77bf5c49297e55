"""Start-up checks: every configuration problem, found before anything runs.

``hookgate serve``, ``hookgate worker`` and ``hookgate config check`` call
:func:`checked_settings` and :func:`runtime_problems` before the database is
touched (no file is created, no migration runs). Each problem is one line that
names the setting as the operator wrote it (``HOOKGATE_PORT``, or the key in
the config file) and says how to fix it. :meth:`hookgate.Runtime.start` calls
:func:`database_problem` before it migrates, so an embedding application gets
the same sentence as an exception.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from hookgate.config import CONFIG_FILE, Settings, config_file_values, load_settings
from hookgate.errors import ConfigurationError
from hookgate.setting_fields import suggestion
from hookgate.store.database import Database, normalize_url

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

#: How long a PostgreSQL server may take to accept the first connection.
CONNECT_TIMEOUT = 10.0
KEYGEN_HINT = "make one with `hookgate keygen`"


class StartupError(ConfigurationError):
    """Configuration problems found at start-up, one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def setting_name(key: str, file_values: Mapping[str, Any] | None = None) -> str:
    """How the operator wrote setting ``key``: its variable, or its key in the config file."""
    variable = "HOOKGATE_" + key.upper()
    if variable not in os.environ and file_values is not None and key in file_values:
        return f"{key} in {CONFIG_FILE} ({os.environ.get(CONFIG_FILE)})"
    return variable


def checked_settings(**overrides: Any) -> Settings:
    """:func:`~hookgate.config.load_settings`, with every problem as one line.

    :raises StartupError: an unreadable config file, or values that do not validate.
    """
    try:
        file_values = config_file_values()
        return load_settings(**overrides)
    except ConfigurationError as exc:
        raise StartupError([str(exc)]) from None
    except ValidationError as exc:
        raise StartupError(validation_problems(exc, file_values)) from None


def validation_problems(exc: ValidationError, file_values: Mapping[str, Any]) -> list[str]:
    """One line per invalid setting; inputs are never echoed (a value may be a secret)."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        key = str(error["loc"][0]) if error["loc"] else ""
        field = Settings.model_fields.get(key)
        if field is None:
            lines.append(f"{key}: {error['msg']}")
            continue
        default = field.default
        fix = "unset it for the default" if default in (None, "") else f"default {default!r}"
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{setting_name(key, file_values)}: {message}; fix it ({fix})")
    return lines


def runtime_problems(runtime: Runtime) -> list[str]:
    """What is wrong with ``runtime``'s configuration, found without touching the database."""
    settings = runtime.settings
    known = {r.name for r in runtime.plugins.records()}
    return [
        *file_problems(config_file_values(), known),
        *provider_problems(settings, known),
        *database_url_problems(runtime),
        *secret_key_problems(settings),
        *sink_problems(runtime),
        *listener_problems(settings),
    ]


def file_problems(file_values: Mapping[str, Any], providers: Iterable[str]) -> list[str]:
    """Config-file keys that are no setting (a provider's ``[name]`` table and
    ``name_key`` keys are its installation settings, checked by the provider)."""
    names = {p.lower().replace("-", "_") for p in providers}
    known = set(Settings.model_fields)
    lines = []
    for key, value in file_values.items():
        if key in known or (key in names and isinstance(value, Mapping)):
            continue
        if any(key.startswith(name + "_") for name in names):
            continue
        close = suggestion(key, sorted(known | names))
        hint = f" (did you mean {close}?)" if close else ""
        lines.append(
            f"{key} in {CONFIG_FILE} ({os.environ.get(CONFIG_FILE)}): unknown setting{hint}; "
            "fix or remove it (hookgate.example.toml lists every setting)"
        )
    return lines


def provider_problems(settings: Settings, installed: Iterable[str]) -> list[str]:
    known = sorted(installed)
    lines = []
    for name in sorted(settings.provider_selection or ()):
        if name in known:
            continue
        close = suggestion(name, known)
        hint = f" (did you mean {close}?)" if close else ""
        listed = ", ".join(known) or "none"
        lines.append(
            f"{setting_name('providers', config_file_values())}: unknown provider {name!r}{hint}; "
            f"installed: {listed}"
        )
    return lines


def database_url_problems(runtime: Runtime) -> list[str]:
    try:
        normalize_url(runtime.settings.database_url)
    except ConfigurationError as exc:
        return [str(exc)]
    return []


def is_sqlite(database_url: str) -> bool:
    """Whether the URL names SQLite (read from the URL: a ``Database`` creates the file)."""
    return make_url(normalize_url(database_url)).get_backend_name() == "sqlite"


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file the URL names, if it names one."""
    database = make_url(normalize_url(database_url)).database
    if not is_sqlite(database_url) or not database or database == ":memory:":
        return None
    return Path(database)


def secret_key_problems(settings: Settings) -> list[str]:
    name = setting_name("secret_key", config_file_values())
    if settings.secret_key is None or not settings.secret_key.get_secret_value().strip():
        try:
            embedded = is_sqlite(settings.database_url)
        except ConfigurationError:
            return []  # the database URL is the problem (reported on its own)
        if embedded:
            return []  # the embedded default: a key file next to the database
        return [f"{name} is required with PostgreSQL: {KEYGEN_HINT} and set it on every process"]
    keys = [k.strip() for k in settings.secret_key.get_secret_value().split(",") if k.strip()]
    lines = []
    for index, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            lines.append(
                f"{name}: key {index} of {len(keys)} is not a Fernet key "
                f"(32 bytes in URL-safe base64); {KEYGEN_HINT}"
            )
    return lines


def sink_problems(runtime: Runtime) -> list[str]:
    from hookgate.sinks import select_sink  # the sinks import the HTTP client: only here

    offered: Mapping[str, object] = {}
    try:
        offered = runtime.plugins.run_sinks(runtime.settings)
        select_sink(offered, runtime.settings)
    except ConfigurationError as exc:
        names = {"log", "http", *offered}
        close = None if runtime.settings.sink in names else suggestion(runtime.settings.sink, names)
        return [str(exc) + (f" (did you mean {close}?)" if close else "")]
    return []


def listener_problems(settings: Settings) -> list[str]:
    if settings.metrics_port is not None and settings.metrics_port == settings.port != 0:
        return [
            f"HOOKGATE_METRICS_PORT={settings.metrics_port} is also HOOKGATE_PORT: "
            "give the metrics listener a port of its own"
        ]
    return []


async def database_problem(db: Database, seconds: float = CONNECT_TIMEOUT) -> str | None:
    """``None`` when the database answers; otherwise which server, why, and what to check.

    SQLite is not opened here: opening creates the file, and the migrations do that anyway.
    """
    if db.is_sqlite:
        return None
    try:
        await asyncio.wait_for(db.ping(), seconds)
    except Exception as exc:
        url = make_url(db.url)
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        why = f"timed out after {seconds:g} s" if isinstance(exc, TimeoutError) else str(exc)
        return (
            f"HOOKGATE_DATABASE_URL: cannot reach PostgreSQL at {where} "
            f"(database {url.database!r}, user {url.username!r}): {why or type(exc).__name__}; "
            "check that the server is running and reachable from here, and the host, port, "
            "user, password and database name in the URL"
        )
    return None


def listen_socket(host: str, port: int, option: str = "--port") -> socket.socket:
    """A socket bound to ``host:port`` for uvicorn, or a :class:`StartupError` saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise StartupError([f"cannot listen on {host!r}: {exc.strerror}; check --host"]) from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            why = "is in use by another process; stop it or choose another port"
        elif exc.errno == errno.EACCES:
            why = "needs privileges this process lacks; choose a port above 1023"
        else:
            why = f"cannot be bound ({exc.strerror}); choose another port"
        raise StartupError([f"port {port} on {host} {why} with {option}"]) from None
    sock.set_inheritable(True)
    return sock


__all__ = [
    "StartupError",
    "checked_settings",
    "database_problem",
    "is_sqlite",
    "listen_socket",
    "runtime_problems",
    "setting_name",
    "sqlite_file",
]
