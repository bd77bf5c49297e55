"""Atlassian REST calls over the ``httpx.AsyncClient`` core hands to a hook.

Core's client already sends the OAuth token, sets timeouts and retries 429/5xx;
this module builds URLs from ``HOOKGATE_JIRA_API_URL`` (3LO tokens work only
through ``https://api.atlassian.com/ex/jira/{cloudId}``, never on
``*.atlassian.net``), follows ``startAt``/``isLast`` pagination and turns every
failure into a :class:`hookgate.ProviderAPIError` an admin can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from hookgate import ProviderAPIError
from hookgate.httputil import is_retryable_status, parse_retry_after

PAGE_SIZE = 100
#: A bound on pagination, so a misbehaving server cannot keep us looping.
MAX_PAGES = 100

Json = dict[str, Any]

#: What a status means for an admin, when Atlassian's own message says little.
HINTS = {
    401: "the connection's token was refused: reauthorize the connection",
    403: "the grant lacks a scope (read:jira-work manage:jira-webhook) or the user's rights",
    404: "not found: is the site still reachable by this grant?",
}


class JiraAPI:
    """One hook call's view of the Atlassian REST API."""

    def __init__(self, client: httpx.AsyncClient, api_url: str) -> None:
        self.client = client
        self.api_url = api_url.rstrip("/")

    def site(self, cloud_id: str, path: str) -> str:
        """A path of one site's Jira REST API (``/rest/api/3/...``)."""
        return f"{self.api_url}/ex/jira/{cloud_id}{path}"

    async def call(
        self,
        method: str,
        url: str,
        doing: str,
        *,
        json: Json | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """A request that must succeed; the decoded JSON body (``None`` when empty)."""
        try:
            response = await self.client.request(method, url, json=json, params=params)
        except httpx.TransportError as exc:
            raise ProviderAPIError(
                f"could not reach Atlassian ({type(exc).__name__}) while trying to {doing}; "
                "hookgate tries again later",
                retryable=True,
            ) from exc
        if not response.is_success:
            raise api_error(response, doing)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderAPIError(
                f"Atlassian answered something that is not JSON while trying to {doing}: is "
                "HOOKGATE_JIRA_API_URL https://api.atlassian.com?",
                status=response.status_code,
            ) from exc

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


def api_error(response: httpx.Response, doing: str) -> ProviderAPIError:
    """Atlassian's refusal, with its own message, for an admin."""
    status = response.status_code
    said = _messages(response)
    hint = HINTS.get(status, "")
    text = f"Atlassian refused to {doing} (HTTP {status})"
    if said:
        text += f": {said}"
    if hint:
        text += f" ({hint})"
    wait = parse_retry_after(response.headers.get("Retry-After"))
    return ProviderAPIError(
        text, status=status, retryable=is_retryable_status(status), retry_after=wait
    )


def _messages(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if not isinstance(body, dict):
        return ""
    found = [str(m) for m in body.get("errorMessages") or [] if m]
    errors = body.get("errors")
    if isinstance(errors, dict):
        found += [f"{k}: {v}" for k, v in errors.items()]
    for key in ("message", "error_description", "error"):
        if not found and isinstance(body.get(key), str):
            found.append(body[key])
    return "; ".join(found)[:500]


__all__ = ["MAX_PAGES", "PAGE_SIZE", "JiraAPI", "Json", "api_error"]
