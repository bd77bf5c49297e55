"""Jira installation settings: the Atlassian OAuth 2.0 (3LO) app and where Atlassian is.

Read by core's :func:`hookgate.config.provider_settings`: ``HOOKGATE_JIRA_*``
environment variables, or the ``[jira]`` table (or ``jira_*`` keys) of the
TOML file named by ``HOOKGATE_CONFIG_FILE``; the environment wins. Core reads
them once per process for the ingest path (``ProviderInfo.installation_model``):
the client secret verifies every delivery's JWT.
"""

from __future__ import annotations

from typing import Any

from hookgate.config import provider_settings
from hookgate.httputil import base_url
from pydantic import BaseModel, SecretStr, field_validator


class JiraInstallation(BaseModel):
    """The Atlassian OAuth app hookgate uses, and the Atlassian endpoints."""

    #: Where people consent and tokens are issued.
    auth_url: str = "https://auth.atlassian.com"
    #: accessible-resources, /me and the per-site REST API (/ex/jira/{cloudId}/...).
    api_url: str = "https://api.atlassian.com"
    #: The OAuth 2.0 (3LO) app's client id and secret (developer.atlassian.com console).
    client_id: str = ""
    client_secret: SecretStr | None = None
    #: The secret before a rotation in the developer console: deliveries signed with it
    #: still verify until it is removed.
    previous_client_secret: SecretStr | None = None

    @field_validator("auth_url", "api_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return base_url(value)

    def jwt_secrets(self) -> tuple[str, ...]:
        """The client secrets a delivery's JWT may be signed with: current first."""
        found = (self.client_secret, self.previous_client_secret)
        return tuple(s.get_secret_value() for s in found if s and s.get_secret_value())


def load_jira_settings(**overrides: Any) -> JiraInstallation:
    """The Jira installation settings from the config file, the environment and ``overrides``."""
    return provider_settings("jira", JiraInstallation, **overrides)


__all__ = ["JiraInstallation", "load_jira_settings"]
