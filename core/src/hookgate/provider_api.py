"""One way for provider hooks to call a provider's JSON API and report its failures.

Core's ``httpx.AsyncClient`` (the one registration and account hooks get)
already sends the token, sets timeouts and retries 429/5xx. What each provider
still needs is the same: a request that must succeed, its JSON body, and every
failure turned into a :class:`hookgate.ProviderAPIError` an admin can act on,
in the provider's own words plus a hint per status. :class:`ProviderAPI` does
that; a provider gives its name, its hints and how to read its error bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from hookgate.errors import ProviderAPIError
from hookgate.httputil import is_retryable_status, parse_retry_after

Json = dict[str, Any]
#: Error-body fields most JSON APIs put their message in, tried in order.
MESSAGE_KEYS = ("message", "description", "error_description", "error")


def messages(body: Any) -> list[str]:
    """The human-readable messages of a JSON error body (common field names)."""
    if not isinstance(body, dict):
        return []
    for key in MESSAGE_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return [value.strip()]
        if isinstance(value, dict):
            return messages(value)
    return []


class ProviderAPI:
    """A provider API seen by one hook call: ``call`` a request that must succeed.

    ``name`` is how admins know the provider (``"Acme"``); ``hints`` say what a
    status means when the provider's own message says little; ``read_errors``
    pulls messages from the provider's error bodies (default :func:`messages`);
    ``url_setting`` names the setting to check when an answer is not JSON.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        name: str,
        *,
        hints: Mapping[int, str] | None = None,
        read_errors: Callable[[Any], list[str]] = messages,
        headers: Mapping[str, str] | None = None,
        url_setting: str = "the provider's URL setting",
    ) -> None:
        self.client = client
        self.url_setting = url_setting
        self.name = name
        self.hints = dict(hints or {})
        self.read_errors = read_errors
        self.headers = dict(headers or {})

    async def send(
        self,
        method: str,
        url: str,
        doing: str,
        *,
        json: Json | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> httpx.Response:
        """One request as answered; only a network failure raises (retryable)."""
        try:
            return await self.client.request(
                method, url, json=json, params=params, headers=self.headers
            )
        except httpx.TransportError as exc:
            raise ProviderAPIError(
                f"could not reach {self.name} ({type(exc).__name__}) while trying to {doing}; "
                "hookgate tries again later",
                retryable=True,
            ) from exc

    async def call(
        self,
        method: str,
        url: str,
        doing: str,
        *,
        json: Json | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """A request that must succeed: its decoded JSON body (``None`` when empty)."""
        response = await self.send(method, url, doing, json=json, params=params)
        if not response.is_success:
            raise self.error(response, doing)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderAPIError(
                f"{self.name} answered something that is not JSON while trying to {doing}: "
                f"is {self.url_setting} right?",
                status=response.status_code,
            ) from exc

    def error(self, response: httpx.Response, doing: str) -> ProviderAPIError:
        """The provider's refusal, in its own words, with the hint for its status."""
        status = response.status_code
        try:
            said = "; ".join(self.read_errors(response.json()))[:500]
        except ValueError:
            said = response.text[:200].strip()
        text = f"{self.name} refused to {doing} (HTTP {status})"
        if said:
            text += f": {said}"
        if hint := self.hints.get(status):
            text += f" ({hint})"
        wait = parse_retry_after(response.headers.get("Retry-After"))
        return ProviderAPIError(
            text, status=status, retryable=is_retryable_status(status), retry_after=wait
        )


__all__ = ["MESSAGE_KEYS", "Json", "ProviderAPI", "messages"]
