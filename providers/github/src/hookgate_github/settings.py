"""GitHub settings: where GitHub is (github.com or an Enterprise Server) and the OAuth app.

Read by core's :func:`hookgate.config.provider_settings`: ``HOOKGATE_GITHUB_*``
environment variables, or the ``[github]`` table (or ``github_*`` keys) of the
TOML file named by ``HOOKGATE_CONFIG_FILE``; the environment wins. Read on
each use: they are only needed when an admin connects GitHub or a source is
registered, never on the ingest path.
"""

from __future__ import annotations

from typing import Any

from hookgate.config import provider_settings
from hookgate.httputil import base_url
from pydantic import BaseModel, SecretStr, field_validator


class GitHubSettings(BaseModel):
    """The GitHub installation hookgate talks to, and its OAuth app's credentials."""

    #: Where people sign in (OAuth pages). GitHub Enterprise Server: https://HOSTNAME.
    web_url: str = "https://github.com"
    #: The REST API. GitHub Enterprise Server: https://HOSTNAME/api/v3.
    api_url: str = "https://api.github.com"
    #: The OAuth app's client id and secret (GitHub → Settings → Developer settings).
    client_id: str = ""
    client_secret: SecretStr | None = None

    @field_validator("web_url", "api_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return base_url(value)

    @property
    def oauth_configured(self) -> bool:
        return bool(self.client_id and self.client_secret)


def load_github_settings(**overrides: Any) -> GitHubSettings:
    """The GitHub settings from the config file, the environment and ``overrides``."""
    return provider_settings("github", GitHubSettings, **overrides)


__all__ = ["GitHubSettings", "load_github_settings"]
