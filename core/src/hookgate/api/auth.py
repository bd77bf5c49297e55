"""Who is calling: the ``authenticate`` hook first, then hookgate's own API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

from hookgate.errors import AuthenticationError
from hookgate.services.common import Actor
from hookgate.services.identity import authenticate_key, principal_actor
from hookgate.types import Headers

if TYPE_CHECKING:
    from hookgate.runtime import Runtime


def bearer_token(headers: Headers) -> str:
    """The token of ``Authorization: Bearer <token>``; what is wrong otherwise."""
    value = headers.get("authorization")
    if not value:
        raise AuthenticationError(
            "no API key: send `Authorization: Bearer <key>` "
            "(an admin makes one with `hookgate keys create --user USER`)"
        )
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be `Bearer <key>`")
    return token.strip()


async def authenticate(runtime: Runtime, request: Request) -> Actor:
    """The actor of ``request``; :class:`AuthenticationError` (401) when there is none.

    An embedding service's ``authenticate`` hook decides first: a principal it
    returns is accepted as is, an ``AuthenticationError`` it raises refuses the
    request, ``None`` falls back to API keys.
    """
    headers = Headers(request.headers)
    principal = runtime.plugins.authenticate(headers, request.method, request.url.path)
    if principal is not None:
        return await principal_actor(runtime, principal)
    return await authenticate_key(runtime, bearer_token(headers))
