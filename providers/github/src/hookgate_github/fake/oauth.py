"""The fake's OAuth app pages: authorize (consent is automatic) and the token exchange.

As on GitHub, the token endpoint answers form-encoded unless the request
asks for JSON with ``Accept: application/json``, reports errors with HTTP 200
and an ``error`` field, and lists granted scopes comma-separated. PKCE: a
code issued with a ``code_challenge`` (S256 only) needs the matching
``code_verifier``; a wrong or missing one is refused like a bad code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from hookgate.testing.fake_oauth import FakeClient
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from hookgate_github.fake.model import PendingCode

if TYPE_CHECKING:
    from hookgate_github.fake.server import FakeGitHub

CODE_LIFETIME = 600  # GitHub's codes expire after 10 minutes
TROUBLESHOOTING = "/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
ERRORS = {
    "incorrect_client_credentials": "The client_id and/or client_secret passed are incorrect.",
    "redirect_uri_mismatch": "The redirect_uri MUST match the registered callback URL for this "
    "application.",
    "bad_verification_code": "The code passed is incorrect or expired.",
}
Endpoint = Callable[[Request], Awaitable[Response]]


def _redirect(uri: str, **params: str) -> Response:
    separator = "&" if "?" in uri else "?"
    return RedirectResponse(f"{uri}{separator}{urlencode(params)}", status_code=302)


def _callback_ok(app: FakeClient, redirect_uri: str) -> bool:
    # GitHub accepts the registered callback URL or a path below it.
    return redirect_uri == app.redirect_uri or redirect_uri.startswith(app.redirect_uri + "/")


def authorizer(gh: FakeGitHub) -> Endpoint:
    async def authorize(request: Request) -> Response:
        query = request.query_params
        app = gh.apps.get(query.get("client_id", ""))
        if app is None:
            return PlainTextResponse("Not Found", 404)  # GitHub shows its 404 page
        redirect_uri = query.get("redirect_uri") or app.redirect_uri
        state = query.get("state", "")
        if not _callback_ok(app, redirect_uri):
            return _redirect(app.redirect_uri, error="redirect_uri_mismatch", state=state)
        if query.get("code_challenge") and query.get("code_challenge_method") != "S256":
            return _redirect(redirect_uri, error="invalid_request", state=state)
        if gh.deny_authorization:
            return _redirect(redirect_uri, error="access_denied", state=state)
        code = secrets.token_hex(10)
        scopes = tuple(s for s in query.get("scope", "").replace(",", " ").split() if s)
        gh.codes[code] = PendingCode(
            code,
            app.client_id,
            redirect_uri,
            scopes,
            query.get("code_challenge"),
            time.time() + CODE_LIFETIME,
        )
        return _redirect(redirect_uri, code=code, state=state)

    return authorize


def _client_credentials(request: Request, form: Mapping[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        decoded = base64.b64decode(header[6:]).decode()
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _pkce_ok(pending: PendingCode, verifier: str | None) -> bool:
    if pending.code_challenge is None:
        return True
    if not verifier:
        return False
    digest = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected, pending.code_challenge)


def _exchange(gh: FakeGitHub, request: Request, form: Mapping[str, str]) -> dict[str, str]:
    client_id, client_secret = _client_credentials(request, form)
    app = gh.apps.get(client_id)
    if app is None or not hmac.compare_digest(app.client_secret, client_secret):
        return _failure("incorrect_client_credentials")
    pending = gh.codes.get(form.get("code", ""))
    if pending is None or pending.used or pending.expires_at < time.time():
        return _failure("bad_verification_code")
    if pending.client_id != client_id:
        return _failure("bad_verification_code")
    if form.get("redirect_uri") and form["redirect_uri"] != pending.redirect_uri:
        return _failure("redirect_uri_mismatch")
    if not _pkce_ok(pending, form.get("code_verifier")):
        return _failure("bad_verification_code")
    pending.used = True
    token = gh.issue_token(pending.scopes, client_id=client_id)
    return {
        "access_token": token,
        "token_type": "bearer",
        "scope": ",".join(sorted(pending.scopes)),
    }


def _failure(code: str) -> dict[str, str]:
    return {"error": code, "error_description": ERRORS[code], "error_uri": TROUBLESHOOTING}


def token_endpoint(gh: FakeGitHub) -> Endpoint:
    async def access_token(request: Request) -> Response:
        answer = _exchange(gh, request, await _form(request))
        # GitHub answers errors with 200 too; the format follows the Accept header.
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(answer)
        return PlainTextResponse(urlencode(answer), media_type="application/x-www-form-urlencoded")

    return access_token


async def _form(request: Request) -> dict[str, str]:
    """The token request's parameters: a form or JSON body (GitHub takes both), then the query."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        loaded = json.loads(raw or b"{}")
        values = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
    else:
        values = dict(parse_qsl(raw.decode("utf-8", errors="replace")))
    values.update({k: v for k, v in request.query_params.items() if k not in values})
    return values


__all__ = ["authorizer", "token_endpoint"]
