"""GitHub REST calls over the ``httpx.AsyncClient`` core hands to a hook.

Core's client already authenticates (it carries the OAuth token) and sets
timeouts; this module adds what GitHub asks every REST client to send, builds
absolute URLs from ``HOOKGATE_GITHUB_API_URL`` (so GitHub Enterprise Server
works), follows ``Link: rel="next"`` pagination and turns failures into
:class:`hookgate.ProviderAPIError` via :mod:`hookgate_github.errors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from hookgate import ProviderAPIError, Target

from hookgate_github.errors import api_error, transport_error

API_VERSION = "2022-11-28"
#: GitHub's recommended media type and the REST API version hookgate was written against.
HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
PER_PAGE = 100
#: A bound on pagination, so a misbehaving server cannot keep us looping (10,000 items).
MAX_PAGES = 100

Json = dict[str, Any]


class GitHubAPI:
    """One hook call's view of the GitHub REST API."""

    def __init__(
        self, client: httpx.AsyncClient, api_url: str, *, token: str | None = None
    ) -> None:
        self.client = client
        self.api_url = api_url.rstrip("/")
        self.headers = dict(HEADERS)
        if token and client.auth is None and "authorization" not in client.headers:
            # Core normally authenticates the client; this keeps the hook usable without it.
            self.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return f"{self.api_url}{path}"

    async def send(
        self,
        method: str,
        url: str,
        doing: str,
        *,
        json: Json | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> httpx.Response:
        """One request; a network failure becomes a retryable ``ProviderAPIError``."""
        try:
            return await self.client.request(
                method, url, json=json, params=params, headers=self.headers
            )
        except httpx.TransportError as exc:
            raise transport_error(exc, doing, self.api_url) from exc

    async def call(
        self,
        method: str,
        path: str,
        doing: str,
        *,
        target: Target | None = None,
        json: Json | None = None,
    ) -> Any:
        """A request that must succeed; returns the decoded JSON body (``None`` when empty)."""
        response = await self.send(method, self.url(path), doing, json=json)
        if not response.is_success:
            raise api_error(response, doing, target)
        return json_body(response, doing) if response.content else None

    async def pages(
        self,
        path: str,
        doing: str,
        *,
        target: Target | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> list[Json]:
        """Every item of a paginated list endpoint, following ``Link: rel="next"``."""
        items: list[Json] = []
        url: str | None = self.url(path)
        query: Mapping[str, str | int] | None = {"per_page": PER_PAGE, **(params or {})}
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            response = await self.send("GET", url, doing, params=query)
            if not response.is_success:
                raise api_error(response, doing, target)
            page = json_body(response, doing)
            if not isinstance(page, list):
                raise ProviderAPIError(f"GitHub answered a non-list while trying to {doing}")
            items.extend(i for i in page if isinstance(i, dict))
            url, query = self._next(response), None  # the next link carries the query
        raise ProviderAPIError(f"more than {MAX_PAGES} pages while trying to {doing}")

    def _next(self, response: httpx.Response) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        # The client sends the token with every request: never follow a link off the API host.
        if _origin(link) != _origin(self.api_url):
            raise ProviderAPIError(
                f"GitHub's pagination link points to {_origin(link)}, not {_origin(self.api_url)}:"
                " check HOOKGATE_GITHUB_API_URL"
            )
        return link


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def json_body(response: httpx.Response, doing: str) -> Any:
    """The decoded body; a page that is not JSON (a wrong API URL) is a readable error."""
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderAPIError(
            f"GitHub answered something that is not JSON while trying to {doing}: is "
            "HOOKGATE_GITHUB_API_URL the REST API (https://HOST/api/v3 for Enterprise Server)?",
            status=response.status_code,
        ) from exc


__all__ = ["API_VERSION", "HEADERS", "PER_PAGE", "GitHubAPI", "Json", "json_body"]
