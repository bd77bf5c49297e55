"""Atlassian REST calls over core's client, through :class:`hookgate.provider_api.ProviderAPI`.

Core's client already sends the OAuth token, sets timeouts and retries 429/5xx;
this module builds URLs from ``HOOKGATE_JIRA_API_URL`` (3LO tokens work only
through ``https://api.atlassian.com/ex/jira/{cloudId}``, never on
``*.atlassian.net``), follows ``startAt``/``isLast`` pagination and reads
Atlassian's error bodies; core turns every failure into a
:class:`hookgate.ProviderAPIError` an admin can act on.
"""

from __future__ import annotations

from typing import Any

import httpx
from hookgate import ProviderAPIError
from hookgate.provider_api import Json, ProviderAPI, messages

PAGE_SIZE = 100
#: A bound on pagination, so a misbehaving server cannot keep us looping.
MAX_PAGES = 100

#: What a status means for an admin, when Atlassian's own message says little.
HINTS = {
    401: "the connection's token was refused: reauthorize the connection",
    403: "the grant lacks a scope (read:jira-work manage:jira-webhook) or the user's rights",
    404: "not found: is the site still reachable by this grant?",
}


def read_errors(body: Any) -> list[str]:
    """Jira answers ``errorMessages[]`` and ``errors{field: text}``; OAuth answers ``error``."""
    if not isinstance(body, dict):
        return []
    found = [str(m) for m in body.get("errorMessages") or [] if m]
    errors = body.get("errors")
    if isinstance(errors, dict):
        found += [f"{k}: {v}" for k, v in errors.items()]
    return found or messages(body)


class JiraAPI(ProviderAPI):
    """One hook call's view of the Atlassian REST API."""

    def __init__(self, client: httpx.AsyncClient, api_url: str) -> None:
        super().__init__(
            client,
            "Atlassian",
            hints=HINTS,
            read_errors=read_errors,
            url_setting="HOOKGATE_JIRA_API_URL (https://api.atlassian.com)",
        )
        self.api_url = api_url.rstrip("/")

    def site(self, cloud_id: str, path: str) -> str:
        """A path of one site's Jira REST API (``/rest/api/3/...``)."""
        return f"{self.api_url}/ex/jira/{cloud_id}{path}"

    async def pages(self, url: str, doing: str) -> list[Json]:
        """Every ``values[]`` item of a ``startAt``/``maxResults``/``isLast`` list."""
        items: list[Json] = []
        start = 0
        for _ in range(MAX_PAGES):
            page = await self.call(
                "GET", url, doing, params={"startAt": start, "maxResults": PAGE_SIZE}
            )
            values = page.get("values") if isinstance(page, dict) else None
            if not isinstance(values, list):
                raise ProviderAPIError(f"Atlassian answered no values[] while trying to {doing}")
            items.extend(v for v in values if isinstance(v, dict))
            if page.get("isLast", True) or not values:
                return items
            start += len(values)
        raise ProviderAPIError(f"more than {MAX_PAGES} pages while trying to {doing}")


__all__ = ["HINTS", "MAX_PAGES", "PAGE_SIZE", "JiraAPI", "Json", "read_errors"]
