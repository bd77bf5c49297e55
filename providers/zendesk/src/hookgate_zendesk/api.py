"""Zendesk REST calls over core's client, through :class:`hookgate.provider_api.ProviderAPI`."""

from __future__ import annotations

from typing import Any

import httpx
from hookgate.provider_api import ProviderAPI, messages

#: What a status means for an admin, when Zendesk's own message says little.
HINTS = {
    401: "the connection's token was refused: reauthorize the connection",
    403: (
        "the connected user may not manage webhooks: connect as a Zendesk admin, or an agent "
        "whose custom role allows webhooks, with the read and write scopes"
    ),
    404: "not found: is the subdomain right, and the webhook still there?",
    422: "Zendesk refused the webhook's settings",
    429: "Zendesk's rate limit (trial accounts: 60 webhook invocations a minute)",
}


def read_errors(body: Any) -> list[str]:
    """Zendesk's webhook API answers ``errors: [{code, title, detail}]``; others ``error``."""
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        found = []
        for item in body["errors"][:5]:
            if isinstance(item, dict):
                words = [str(item[k]) for k in ("code", "title", "detail") if item.get(k)]
                found.append(": ".join(words))
        if found:
            return found
    return messages(body)


def zendesk_api(client: httpx.AsyncClient) -> ProviderAPI:
    return ProviderAPI(client, "Zendesk", hints=HINTS, read_errors=read_errors)


__all__ = ["HINTS", "read_errors", "zendesk_api"]
