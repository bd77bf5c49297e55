"""Settings: ``HOOKGATE_*`` environment variables, optionally a TOML file.

``HOOKGATE_CONFIG_FILE`` names a TOML file whose top-level keys are the
setting names in lower case (``database_url = "..."``). Environment variables
win over the file.

A provider's installation settings (its OAuth app, the address of a
self-hosted server, ...) come from :func:`provider_settings`: variables
``HOOKGATE_<NAME>_<KEY>`` and, in the same file, a ``[<name>]`` table or
``<name>_<key>`` keys, validated by the provider's own pydantic model.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hookgate.errors import ConfigurationError
from hookgate.setting_fields import problems, setting_fields

M = TypeVar("M", bound=BaseModel)
CONFIG_FILE = "HOOKGATE_CONFIG_FILE"


class Settings(BaseSettings):
    """Every setting of a hookgate installation."""

    model_config = SettingsConfigDict(env_prefix="HOOKGATE_", extra="ignore")

    #: Comma-separated provider names to enable; empty means every installed one.
    providers: str = ""
    database_url: str = "sqlite+aiosqlite:///./hookgate.db"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    public_url: str = ""
    #: Largest accepted webhook body; bigger ones are answered 413.
    max_body_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    #: ``serve``: seconds a client has to send a request's headers (408 and closed after).
    header_timeout: float = Field(default=10.0, gt=0)
    #: ``serve``: largest request line plus headers; more is answered 431 and closed.
    max_header_bytes: int = Field(default=64 * 1024, ge=1024)
    #: ``serve``: open connections at most (0: 1,000, or fewer when the open-file limit is
    #: lower). Past it, the oldest connection still sending its headers is closed.
    max_connections: int = Field(default=0, ge=0)
    #: Without a provider delivery id, identical bodies within this many seconds are one event.
    dedup_window: int = Field(default=300, ge=1)
    #: Key(s) for secrets at rest; comma-separated, newest first (older ones only decrypt).
    secret_key: SecretStr | None = None

    #: Which run sink delivers runs (``log``, ``http`` or one a plugin offers).
    sink: str = "log"
    sink_url: str = ""
    sink_secret: SecretStr | None = None
    sink_timeout: float = Field(default=10.0, gt=0)
    #: Delivery attempts per run before it is dead-lettered (with the waits below, ~a day).
    max_attempts: int = Field(default=16, ge=1)
    #: Seconds before the first retry; each wait doubles (±25 % jitter) up to the next.
    retry_initial_wait: float = Field(default=5.0, gt=0)
    #: The longest wait between two delivery attempts (default 6 hours).
    retry_max_wait: float = Field(default=6 * 3600.0, gt=0)
    #: Seconds a worker holds claimed work; after a crash, its work is taken over after this.
    claim_lease: float = Field(default=30.0, gt=0)
    #: Runs per hour per workspace; 0 means unlimited.
    workspace_runs_per_hour: int = Field(default=0, ge=0)
    retention_days: int = Field(default=30, ge=1)
    #: Log level of ``hookgate serve`` and ``hookgate worker``.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    #: ``json`` (one object per line), ``text`` (coloured on a terminal), or ``auto``:
    #: text when stderr is a terminal, JSON otherwise.
    log_format: Literal["auto", "text", "json"] = "auto"
    #: One log line per HTTP request (method, path without secrets, status, time, actor).
    log_requests: bool = True

    #: Filter generation: the base URL of an OpenAI-compatible chat-completions API
    #: (``https://api.openai.com/v1``, ``http://localhost:11434/v1`` for Ollama, a vLLM or
    #: llama.cpp server). Empty turns the built-in generator off; hand-written filters always work.
    llm_base_url: str = ""
    #: The model name that API knows (``gpt-4o-mini``, ``qwen2.5-coder:7b``, ...).
    llm_model: str = ""
    #: Sent as ``Authorization: Bearer``; local servers usually need none. Never logged.
    llm_api_key: SecretStr | None = None
    #: Seconds to wait for one answer of the model before giving up.
    llm_timeout: float = Field(default=60.0, gt=0)

    #: OAuth and webhook registration. Client ids and secrets are per provider:
    #: ``HOOKGATE_<PROVIDER>_CLIENT_ID`` / ``HOOKGATE_<PROVIDER>_CLIENT_SECRET``
    #: (see :func:`hookgate.oauth.clients.client_credentials`).
    #: Seconds an authorization (the ``state`` of an authorize URL) stays usable.
    oauth_state_ttl: int = Field(default=600, ge=1, le=3600)
    #: Seconds between scheduled checks of each registered source's remote webhooks.
    reconcile_interval: float = Field(default=3600.0, gt=0)
    #: Remote webhooks expiring within this many seconds are refreshed (default 7 days).
    registration_refresh_margin: float = Field(default=7 * 24 * 3600.0, ge=0)
    #: Seconds to wait for one provider API answer (registration, OAuth token requests).
    provider_timeout: float = Field(default=15.0, gt=0)
    #: Attempts per provider call on 429, 5xx and timeouts (1 turns retries off).
    provider_attempts: int = Field(default=3, ge=1, le=10)
    #: The longest wait a provider's Retry-After is honoured for inside one call; a longer
    #: one fails the call (the scheduled reconcile comes back later).
    provider_max_retry_wait: float = Field(default=60.0, ge=0)

    #: A second listener for ``/metrics`` and the OpenAPI document (``/openapi.json``); when
    #: set, neither is served on the public port. Unset: both are on the public port.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    #: Interface of the metrics listener (keep it off the public network).
    metrics_host: str = "127.0.0.1"

    @field_validator("providers")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def provider_selection(self) -> frozenset[str] | None:
        """The selected provider names, or ``None`` for all installed."""
        names = {n.strip() for n in self.providers.split(",") if n.strip()}
        return frozenset(names) or None


def config_file_values() -> dict[str, Any]:
    """The TOML file named by ``HOOKGATE_CONFIG_FILE`` (empty without one)."""
    path = os.environ.get(CONFIG_FILE)
    if not path:
        return {}
    try:
        return tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{CONFIG_FILE}={path}: cannot read it: {exc}") from exc


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the config file (if any), the environment and ``overrides``."""
    file_values = config_file_values()
    env_names = {k[len("HOOKGATE_") :].lower() for k in os.environ if k.startswith("HOOKGATE_")}
    merged = {k: v for k, v in file_values.items() if k not in env_names}
    merged.update(overrides)
    return Settings(**merged)


def setting_origin(key: str, file_values: Mapping[str, Any], overrides: Mapping[str, Any]) -> str:
    """Where setting ``key`` came from, as the reader wrote it: ``HOOKGATE_PORT``,
    ``port in HOOKGATE_CONFIG_FILE (path)``, ``port (given in code)`` or ``default``."""
    variable = "HOOKGATE_" + key.upper()
    if key in overrides:
        return f"{key} (given in code)"
    if variable in os.environ:
        return variable
    if key in file_values:
        return f"{key} in {CONFIG_FILE} ({os.environ.get(CONFIG_FILE)})"
    return "default"


def env_prefix(name: str) -> str:
    """``HOOKGATE_<NAME>_``: the provider name upper-cased, ``-`` as ``_``."""
    return f"HOOKGATE_{name.upper().replace('-', '_')}_"


def provider_settings(name: str, model: type[M], **overrides: Any) -> M:
    """Provider ``name``'s installation settings, validated by ``model``.

    Each field ``key`` of the model comes from, in this order: ``overrides``;
    the environment variable ``HOOKGATE_<NAME>_<KEY>`` (text, typed from the
    field: numbers, ``true``/``false``, ``a,b`` lists, JSON objects); the
    config file's ``[<name>]`` table or its top-level ``<name>_<key>``; the
    model's default. Keys the model does not declare are ignored, since several
    models may read one provider's namespace (core reads ``client_id`` and
    ``client_secret`` of every OAuth provider). Read on each call: cheap, and
    a changed variable applies without a restart of anything cached.

    :raises ConfigurationError: naming each variable (or file key) that is wrong.
    """
    prefix, fields = env_prefix(name), setting_fields(model)
    file_values = _file_section(name, config_file_values())
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for key, field in fields.items():
        variable = prefix + key.upper()
        if key in overrides:
            values[key], origin[key] = overrides[key], key
        elif variable in os.environ:
            values[key], origin[key] = _typed(field.parse, variable), variable
        elif key in file_values:
            values[key], origin[key] = file_values[key], f"{_file_key(name, key)} in {CONFIG_FILE}"
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        found = problems(exc, fields, lambda key: origin.get(key, prefix + key.upper()), name)
        raise ConfigurationError(f"invalid {name} settings: {'; '.join(found)}") from None


def _typed(parse: Callable[[str], Any], variable: str) -> Any:
    try:
        return parse(os.environ[variable])
    except ValueError as exc:
        raise ConfigurationError(f"{variable}: {exc}") from None


def _file_key(name: str, key: str) -> str:
    return f"{name.lower().replace('-', '_')}_{key}"


def _file_section(name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The file's ``[name]`` table and its ``name_key`` keys (both spellings; the table wins)."""
    flat = name.lower().replace("-", "_") + "_"
    values = {k[len(flat) :]: v for k, v in data.items() if k.startswith(flat)}
    table = data.get(name)
    if isinstance(table, Mapping):
        values.update(table)
    return values


__all__ = [
    "Settings",
    "config_file_values",
    "env_prefix",
    "load_settings",
    "provider_settings",
    "setting_origin",
]
