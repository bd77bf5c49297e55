"""An OAuth 2 authorization server for providers' fake APIs: one model, every fake.

:class:`FakeOAuthServer` holds registered clients, authorization codes (PKCE
S256 checked when a challenge was sent), grants with expiring access tokens and
rotating refresh tokens: a refresh returns a new pair and deletes the previous
one; reusing a deleted refresh token is ``invalid_grant``. A provider's fake
mounts :meth:`authorize` and :meth:`token` at its own paths and asks
:meth:`grant_for` who a bearer token belongs to::

    oauth = FakeOAuthServer()
    oauth.register_client("id", "secret", "https://hookgate.test/oauth/acme/callback")
    routes = [Route("/oauth/authorize", oauth.authorize),
              Route("/oauth/token", oauth.token, methods=["POST"])]
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response


@dataclass
class FakeClient:
    client_id: str
    client_secret: str
    redirect_uri: str
    #: Where the client is known (a provider whose clients are per account); ``None``: anywhere.
    realm: str | None = None


@dataclass
class FakeGrant:
    """One consent: the user, the scope, and its current token pair."""

    client_id: str
    realm: str | None
    scope: str
    user: str
    access_token: str = ""
    access_expires_at: float = 0.0
    refresh_token: str | None = None
    revoked: bool = False
    spent_refresh_tokens: set[str] = field(default_factory=set)


@dataclass
class _Code:
    grant: FakeGrant
    redirect_uri: str
    challenge: str | None


def _error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


async def form_or_json(request: Request) -> dict[str, Any]:
    """A token request's fields: JSON or a form, whichever was sent (no python-multipart)."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return dict(parse_qsl(raw.decode()))


class FakeOAuthServer:
    """The authorization server's state and its two endpoints (ASGI handlers)."""

    def __init__(
        self,
        *,
        access_lifetime: float = 1800,
        rotate_refresh_tokens: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.access_lifetime = access_lifetime
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.clock = clock
        self.clients: dict[str, FakeClient] = {}
        self.grants: list[FakeGrant] = []
        self.token_requests = 0
        self.refresh_requests = 0
        self.deny = False
        #: Who consents on the authorize page.
        self.user = "user-1"
        self._codes: dict[str, _Code] = {}

    # -- setting the scene ------------------------------------------------------------

    def register_client(
        self, client_id: str, client_secret: str, redirect_uri: str, *, realm: str | None = None
    ) -> FakeClient:
        self.clients[client_id] = FakeClient(client_id, client_secret, redirect_uri, realm)
        return self.clients[client_id]

    def issue(self, client_id: str, *, realm: str | None = None, scope: str = "") -> FakeGrant:
        """A grant with a fresh pair, without the browser dance."""
        grant = FakeGrant(client_id, realm, scope, self.user)
        self._new_pair(grant)
        self.grants.append(grant)
        return grant

    def grant_for(self, access_token: str, *, realm: str | None = None) -> FakeGrant | None:
        """The live grant ``access_token`` belongs to (in ``realm``), else ``None``."""
        for grant in self.grants:
            if (
                not grant.revoked
                and grant.access_token
                and hmac.compare_digest(grant.access_token, access_token)
                and grant.access_expires_at > self.clock()
                and (realm is None or grant.realm == realm)
            ):
                return grant
        return None

    def expire_access_tokens(self) -> None:
        for grant in self.grants:
            grant.access_expires_at = 0.0

    def revoke_all(self) -> None:
        """The user removed the app: tokens are refused, refreshes are ``invalid_grant``."""
        for grant in self.grants:
            grant.revoked = True

    # -- endpoints ----------------------------------------------------------------------

    async def authorize(self, request: Request, *, realm: str | None = None) -> Response:
        q = request.query_params
        client = self.clients.get(q.get("client_id", ""))
        if client is None or client.realm not in (None, realm):
            return _error(400, "invalid_client", "unknown client_id here")
        if q.get("redirect_uri") != client.redirect_uri or q.get("response_type") != "code":
            return _error(400, "invalid_request", "redirect_uri or response_type is wrong")
        if self.deny:
            query = urlencode({"error": "access_denied", "state": q.get("state", "")})
            return RedirectResponse(f"{client.redirect_uri}?{query}", status_code=302)
        challenge = q.get("code_challenge")
        if challenge is not None and q.get("code_challenge_method") != "S256":
            return _error(400, "invalid_request", "code_challenge_method must be S256")
        code = secrets.token_urlsafe(16)
        grant = FakeGrant(client.client_id, realm, q.get("scope", ""), self.user)
        self._codes[code] = _Code(grant, client.redirect_uri, challenge)
        query = urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(f"{client.redirect_uri}?{query}", status_code=302)

    async def token(self, request: Request, *, realm: str | None = None) -> Response:
        self.token_requests += 1
        data = await form_or_json(request)
        client = self.clients.get(str(data.get("client_id", "")))
        secret = str(data.get("client_secret", ""))
        if (
            client is None
            or client.realm not in (None, realm)
            or not hmac.compare_digest(secret, client.client_secret)
        ):
            return _error(401, "invalid_client", "client authentication failed")
        if data.get("grant_type") == "authorization_code":
            return self._exchange(client, data)
        if data.get("grant_type") == "refresh_token":
            return self._refresh(client, str(data.get("refresh_token", "")))
        return _error(400, "unsupported_grant_type", "authorization_code or refresh_token")

    # -- grants ---------------------------------------------------------------------------

    def _exchange(self, client: FakeClient, data: dict[str, Any]) -> Response:
        code = self._codes.pop(str(data.get("code", "")), None)
        if code is None or data.get("redirect_uri") != code.redirect_uri:
            return _error(400, "invalid_grant", "the code is unknown, used or for another URI")
        if code.challenge is not None:
            verifier = str(data.get("code_verifier", ""))
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not hmac.compare_digest(expected, code.challenge):
                return _error(400, "invalid_grant", "code_verifier does not match the challenge")
        self._new_pair(code.grant)
        self.grants.append(code.grant)
        return JSONResponse(self._token_set(code.grant))

    def _refresh(self, client: FakeClient, refresh_token: str) -> Response:
        self.refresh_requests += 1
        for grant in self.grants:
            if grant.client_id != client.client_id:
                continue
            if grant.refresh_token == refresh_token and not grant.revoked:
                if self.rotate_refresh_tokens:  # the previous pair is deleted
                    grant.spent_refresh_tokens.add(refresh_token)
                    self._new_pair(grant)
                else:
                    self._new_pair(grant, keep_refresh=True)
                return JSONResponse(self._token_set(grant))
            if refresh_token in grant.spent_refresh_tokens:
                grant.revoked = True  # a reused refresh token: the grant is compromised
        return _error(400, "invalid_grant", "the refresh token is invalid, used or revoked")

    def _new_pair(self, grant: FakeGrant, *, keep_refresh: bool = False) -> None:
        grant.access_token = secrets.token_urlsafe(24)
        grant.access_expires_at = self.clock() + self.access_lifetime
        if not keep_refresh:
            grant.refresh_token = secrets.token_urlsafe(24)

    def _token_set(self, grant: FakeGrant) -> dict[str, Any]:
        return {
            "access_token": grant.access_token,
            "token_type": "bearer",
            "expires_in": int(self.access_lifetime),
            "refresh_token": grant.refresh_token,
            "scope": grant.scope,
        }


__all__ = ["FakeClient", "FakeGrant", "FakeOAuthServer", "form_or_json"]
