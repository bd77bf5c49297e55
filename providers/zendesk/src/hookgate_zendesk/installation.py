"""Zendesk installation settings and the per-connection subdomain.

Installation settings are read by core's :func:`hookgate.config.provider_settings`:
``HOOKGATE_ZENDESK_CLIENT_ID``, ``HOOKGATE_ZENDESK_CLIENT_SECRET`` and
``HOOKGATE_ZENDESK_URL_TEMPLATE`` (or the ``[zendesk]`` table of the config file).
The subdomain is what an admin gives when creating a connection
(``ProviderInfo.connection_model``): every OAuth and API URL lives on it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from hookgate.config import provider_settings
from pydantic import BaseModel, Field, SecretStr, field_validator

DEFAULT_TEMPLATE = "https://{subdomain}.zendesk.com"
#: A DNS label: what Zendesk allows as a subdomain, and nothing that could add a host,
#: a port, a path or a scheme to the URL it is put in.
_SUBDOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)


class ZendeskConnection(BaseModel, extra="forbid", frozen=True):
    """What an admin gives when connecting a Zendesk account."""

    subdomain: str = Field(
        description="The account's subdomain: acme for https://acme.zendesk.com.",
        max_length=63,
    )

    @field_validator("subdomain", mode="before")
    @classmethod
    def _label(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip().lower()
        text = text.removeprefix("https://").removesuffix("/").removesuffix(".zendesk.com")
        if not _SUBDOMAIN.fullmatch(text):
            raise ValueError(
                f"{value!r} is not a Zendesk subdomain: give only the first part of "
                "https://<subdomain>.zendesk.com (letters, digits and '-')"
            )
        return text


class ZendeskInstallation(BaseModel):
    """The Zendesk OAuth client hookgate uses, and where Zendesk accounts are."""

    client_id: str = ""
    client_secret: SecretStr | None = None
    #: Where an account lives; ``{subdomain}`` is replaced by the connection's. Tests and
    #: sandboxes point it elsewhere (http://127.0.0.1:8123/{subdomain}).
    url_template: str = DEFAULT_TEMPLATE

    @field_validator("url_template")
    @classmethod
    def _template(cls, value: str) -> str:
        text = value.strip().rstrip("/")
        parts = urlsplit(text.replace("{subdomain}", "x"))
        if text.count("{subdomain}") != 1 or parts.scheme not in ("http", "https"):
            raise ValueError(
                f"{value!r} must be an absolute http(s) URL with {{subdomain}} once, "
                f"like {DEFAULT_TEMPLATE}"
            )
        if parts.query or parts.fragment or not parts.netloc:
            raise ValueError(f"{value!r} must have a host and no query or fragment")
        return text

    def base_url(self, connection: ZendeskConnection) -> str:
        """The account's base URL: OAuth at ``/oauth/...``, the API at ``/api/v2/...``."""
        return self.url_template.replace("{subdomain}", connection.subdomain)


def load_installation(**overrides: Any) -> ZendeskInstallation:
    return provider_settings("zendesk", ZendeskInstallation, **overrides)


__all__ = ["DEFAULT_TEMPLATE", "ZendeskConnection", "ZendeskInstallation", "load_installation"]
