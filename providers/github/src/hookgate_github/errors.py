"""GitHub API failures translated into errors an admin can act on.

GitHub answers in a few documented shapes: ``{"message", "documentation_url"}``,
plus ``errors: [{resource, code, field, message}]`` for 422 validation
failures. Rate limits come as 403 or 429 with ``Retry-After`` (secondary
limits) or ``X-RateLimit-Remaining: 0`` and ``X-RateLimit-Reset`` (primary
limit). Messages never include a token or a webhook secret: GitHub masks
secrets in what it returns, and request headers are never quoted.
"""

from __future__ import annotations

import math
import time
from typing import Any

import httpx
from hookgate import ProviderAPIError, Target

#: Wait when GitHub says "secondary rate limit" without saying for how long (GitHub's advice).
DEFAULT_RATE_LIMIT_WAIT = 60
REAUTH_HINT = "reconnect GitHub (hookgate connections create --provider github)"


class GitHubRateLimited(ProviderAPIError):
    """GitHub asked us to slow down; ``retry_after`` is the wait in seconds.

    A :class:`~hookgate.ProviderAPIError` with ``retryable=True``, so core's
    reconcile retries it; ``retry_after`` lets a retry policy wait exactly as
    long as GitHub asked.
    """

    def __init__(self, message: str, *, status: int, retry_after: int) -> None:
        super().__init__(message, status=status, retry_after=retry_after)


def github_message(response: httpx.Response) -> str:
    """GitHub's own explanation: ``message`` plus each validation error's message."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason_phrase
    if not isinstance(body, dict):
        return response.reason_phrase
    parts = [str(body.get("message") or response.reason_phrase)]
    for error in body.get("errors") or ():
        if isinstance(error, dict):
            detail = error.get("message") or " ".join(
                str(error[k]) for k in ("resource", "field", "code") if error.get(k)
            )
            parts.append(str(detail))
        else:
            parts.append(str(error))
    return ": ".join(p for p in parts if p)


def rate_limit_wait(response: httpx.Response, message: str, now: float | None = None) -> int | None:
    """Seconds GitHub wants us to wait, or ``None`` when this is not a rate limit."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    retry_after = headers.get("retry-after", "")
    if retry_after.strip().isdigit():
        return int(retry_after)
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        if reset.strip().isdigit():
            wait = int(reset) - (time.time() if now is None else now)
            return max(1, math.ceil(wait))
        return DEFAULT_RATE_LIMIT_WAIT
    if "rate limit" in message.lower() or response.status_code == 429:
        return DEFAULT_RATE_LIMIT_WAIT
    return None


def missing_scopes(response: httpx.Response) -> list[str]:
    """Scopes the endpoint accepts that the token lacks (empty when it has one of them).

    GitHub lists the token's scopes in ``X-OAuth-Scopes`` and what the
    endpoint accepts in ``X-Accepted-OAuth-Scopes``.
    """
    if "x-accepted-oauth-scopes" not in response.headers:
        return []
    accepted = _scope_list(response.headers["x-accepted-oauth-scopes"])
    granted = _scope_list(response.headers.get("x-oauth-scopes", ""))
    if not accepted or accepted & granted:
        return []
    return sorted(accepted)


def _scope_list(value: str) -> set[str]:
    return {s.strip() for s in value.split(",") if s.strip()}


def no_access_message(target: Target) -> str:
    if target.type == "organization":
        return (
            f"no admin rights on organization {target.name} (or it does not exist): "
            "the OAuth user must be an owner of the organization"
        )
    return (
        f"no admin rights on {target.name} (or it does not exist): "
        "the OAuth user needs admin access to the repository"
    )


def api_error(
    response: httpx.Response, doing: str, target: Target | None = None
) -> ProviderAPIError:
    """The error to raise for a failed GitHub call made to ``doing`` (e.g. "create a webhook")."""
    status = response.status_code
    message = github_message(response)
    wait = rate_limit_wait(response, message)
    if wait is not None:
        return GitHubRateLimited(
            f"GitHub rate limit reached while trying to {doing}; retry in {wait} s ({message})",
            status=status,
            retry_after=wait,
        )
    if status == 401:
        return ProviderAPIError(
            f"GitHub refused the access token ({message}) while trying to {doing}: "
            f"the grant was revoked or expired; {REAUTH_HINT}",
            status=401,
        )
    if status in (403, 404):
        return _forbidden(response, message, doing, target)
    if status >= 500:
        return ProviderAPIError(
            f"GitHub failed ({status} {message}) while trying to {doing}; hookgate will retry",
            status=status,
            retryable=True,
        )
    return ProviderAPIError(f"GitHub refused to {doing} ({status}): {message}", status=status)


def _forbidden(
    response: httpx.Response, message: str, doing: str, target: Target | None
) -> ProviderAPIError:
    status = response.status_code
    if "access restrictions" in message:
        # An organization that restricts OAuth apps hides itself until an owner approves hookgate.
        where = "the organization"
        if target is not None:
            where = (
                f"organization {target.name}"
                if target.type == "organization"
                else f"the organization that owns {target.name}"
            )
        return ProviderAPIError(
            f"{where} restricts OAuth app access: an organization owner must approve "
            "hookgate's OAuth app (GitHub → organization Settings → Third-party access)",
            status=status,
        )
    if scopes := missing_scopes(response):
        return ProviderAPIError(
            f"the GitHub token lacks the scope to {doing} (needs one of {', '.join(scopes)}): "
            f"{REAUTH_HINT}",
            status=status,
        )
    if target is not None:
        return ProviderAPIError(no_access_message(target), status=status)
    return ProviderAPIError(f"GitHub refused to {doing} ({status}): {message}", status=status)


def transport_error(exc: httpx.TransportError, doing: str, base_url: str) -> ProviderAPIError:
    """A network failure or timeout: worth retrying, and worth checking the API URL."""
    if isinstance(exc, httpx.TimeoutException):
        return ProviderAPIError(
            f"GitHub did not answer in time while trying to {doing}; hookgate will retry",
            retryable=True,
        )
    return ProviderAPIError(
        f"cannot reach GitHub at {base_url} to {doing} ({type(exc).__name__}): check "
        "HOOKGATE_GITHUB_API_URL and the network; hookgate will retry",
        retryable=True,
    )


__all__ = [
    "GitHubRateLimited",
    "api_error",
    "github_message",
    "missing_scopes",
    "no_access_message",
    "rate_limit_wait",
    "transport_error",
]
