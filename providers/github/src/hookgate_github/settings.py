"""GitHub settings: where GitHub is (github.com or an Enterprise Server) and the OAuth app.

Read from ``HOOKGATE_GITHUB_*`` environment variables, or from the ``github_*``
keys of the TOML file named by ``HOOKGATE_CONFIG_FILE`` (the file core reads
too); the environment wins. Read on each use: they are only needed when an
admin connects GitHub or a source is registered, never on the ingest path.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hookgate import ConfigurationError
from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "HOOKGATE_GITHUB_"
FILE_PREFIX = "github_"


class GitHubSettings(BaseSettings):
    """The GitHub installation hookgate talks to, and its OAuth app's credentials."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    #: Where people sign in (OAuth pages). GitHub Enterprise Server: https://HOSTNAME.
    web_url: str = "https://github.com"
    #: The REST API. GitHub Enterprise Server: https://HOSTNAME/api/v3.
    api_url: str = "https://api.github.com"
    #: The OAuth app's client id and secret (GitHub → Settings → Developer settings).
    client_id: str = ""
    client_secret: SecretStr | None = None

    @field_validator("web_url", "api_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an absolute http(s) URL")
        # Paths are appended to it, so a trailing slash would double up.
        return value.strip().rstrip("/")

    @property
    def oauth_configured(self) -> bool:
        return bool(self.client_id and self.client_secret)


def _file_values() -> dict[str, Any]:
    path = os.environ.get("HOOKGATE_CONFIG_FILE")
    if not path:
        return {}
    try:
        values = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"HOOKGATE_CONFIG_FILE={path}: cannot read it: {exc}") from exc
    return {k[len(FILE_PREFIX) :]: v for k, v in values.items() if k.startswith(FILE_PREFIX)}


def load_github_settings(**overrides: Any) -> GitHubSettings:
    """The GitHub settings from the config file, the environment and ``overrides``."""
    in_env = {k[len(ENV_PREFIX) :].lower() for k in os.environ if k.startswith(ENV_PREFIX)}
    values = {k: v for k, v in _file_values().items() if k not in in_env}
    values.update(overrides)
    try:
        return GitHubSettings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigurationError(f"invalid GitHub settings: {problems}") from exc


__all__ = ["GitHubSettings", "load_github_settings"]
