"""The OAuth dance against the fake provider: PKCE, and state checks a browser cannot get around."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from hookgate.services import connections, identity
from hookgate.services.common import Actor
from hookgate.store.models import OAuthConnection, OAuthState, utcnow
from sqlalchemy import update

from tests.core.oauth.support import JSON, Lab, lab

pytestmark = pytest.mark.anyio


async def _callback_url(w: Lab) -> tuple[str, str]:
    """(connection id, the callback URL the provider sends the browser to) without following it."""
    started = await connections.create_connection(w.runtime, w.actor, "fake")
    assert started.authorize_url is not None
    answer = await w.browser.get(started.authorize_url, follow_redirects=False)
    assert answer.status_code == 302
    return started.id, answer.headers["location"]


async def test_full_dance_with_pkce_makes_an_active_connection(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        started = await connections.create_connection(w.runtime, w.actor, "fake")
        query = parse_qs(urlsplit(started.authorize_url or "").query)
        assert query["code_challenge_method"] == ["S256"]
        assert len(query["code_challenge"][0]) == 43  # base64url SHA-256
        assert query["redirect_uri"] == [f"{w.base_url}/oauth/fake/callback"]
        assert query["scope"] == ["account:read hooks:write"]
        assert started.status == "pending"

        answer = await w.authorize(started.authorize_url or "")
        assert answer.status_code == 200, answer.text
        shown = answer.json()["connection"]
        assert shown["status"] == "active"
        assert shown["account_name"] == "Fake Account"

        view = await connections.get_connection(w.runtime, w.actor, started.id)
        assert (view.status, view.account_id) == ("active", "acct-42")
        assert view.expires_at is not None
        assert view.expires_at > utcnow()
        async with w.runtime.db.session() as session:
            row = await session.get(OAuthConnection, started.id)
        assert row is not None
        assert row.token_enc is not None
        assert "access_token" not in row.token_enc  # encrypted at rest
        account = await connections.connection_account(w.runtime, w.actor, started.id)
        assert [t.name for t in account.targets] == ["alpha", "beta"]


async def test_a_browser_gets_an_html_page(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        started = await connections.create_connection(w.runtime, w.actor, "fake")
        page = await w.browser.get(started.authorize_url or "")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "connected to fake as Fake Account" in page.text


async def test_tampered_state_is_refused(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection_id, callback = await _callback_url(w)
        parts = urlsplit(callback)
        query = parse_qs(parts.query)
        state = query["state"][0]
        forged = state[:20] + ("A" if state[20] != "A" else "B") + state[21:]
        tampered = parts._replace(query=urlencode({"code": query["code"][0], "state": forged}))
        answer = await w.browser.get(urlunsplit(tampered), headers=JSON)
        assert answer.status_code == 400
        error = answer.json()["error"]
        assert (error["code"], error["details"]["reason"]) == ("invalid_state", "invalid")
        assert "not one hookgate issued" in error["message"]
        # The genuine state still works: a forgery does not burn it.
        assert (await w.browser.get(callback, headers=JSON)).status_code == 200
        view = await connections.get_connection(w.runtime, w.actor, connection_id)
        assert view.status == "active"


async def test_replayed_state_is_refused(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        _, callback = await _callback_url(w)
        assert (await w.browser.get(callback, headers=JSON)).status_code == 200
        again = await w.browser.get(callback, headers=JSON)
        assert again.status_code == 400
        assert again.json()["error"]["details"] == {"reason": "used"}
        html = await w.browser.get(callback)
        assert html.status_code == 400
        assert "already used" in html.text


async def test_expired_state_is_refused(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection_id, callback = await _callback_url(w)
        async with w.runtime.db.session() as session, session.begin():
            await session.execute(
                update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1))
            )
        answer = await w.browser.get(callback, headers=JSON)
        assert answer.status_code == 400
        assert answer.json()["error"]["details"] == {"reason": "expired"}
        assert "HOOKGATE_OAUTH_STATE_TTL" in answer.json()["error"]["message"]
        assert (await w.browser.get(callback, headers=JSON)).status_code == 400
        view = await connections.get_connection(w.runtime, w.actor, connection_id)
        assert view.status == "pending"


async def test_a_wrong_pkce_verifier_fails_the_exchange(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection_id, callback = await _callback_url(w)
        wrong = w.runtime.secret_box.encrypt("x" * 48)
        async with w.runtime.db.session() as session, session.begin():
            await session.execute(update(OAuthState).values(code_verifier_enc=wrong))
        answer = await w.browser.get(callback, headers=JSON)
        assert answer.status_code == 409
        assert "PKCE verification failed" in answer.json()["error"]["message"]
        view = await connections.get_connection(w.runtime, w.actor, connection_id)
        assert view.status == "pending"


async def test_a_denied_grant_is_reported(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        w.api.deny_authorization = True
        started = await connections.create_connection(w.runtime, w.actor, "fake")
        answer = await w.authorize(started.authorize_url or "")
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "authorization_failed"
        view = await connections.get_connection(w.runtime, w.actor, started.id)
        assert view.status == "pending"
        assert "access_denied" in (view.status_reason or "")


async def test_start_route_redirects_an_authenticated_admin(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        user = await identity.create_user(w.runtime, workspace="acme", name="ada", role="admin")
        key = await identity.create_key(w.runtime, Actor.operator(user.workspace_id), user.id)
        async with httpx.AsyncClient(base_url=w.base_url) as client:
            anonymous = await client.get("/oauth/fake/start", headers=JSON)
            assert anonymous.status_code == 401
            headers = {"Authorization": f"Bearer {key.key}"}
            answer = await client.get("/oauth/fake/start", headers=headers)
            assert answer.status_code == 302
            assert answer.headers["location"].startswith(f"{w.api.base_url}/oauth/authorize?")
            # The browser completes it; the connection is the admin's workspace's.
            done = await w.browser.get(answer.headers["location"], headers=JSON)
            connection = done.json()["connection"]
            assert connection["status"] == "active"
            again = await client.get(
                f"/oauth/fake/start?connection={connection['id']}", headers=headers
            )
            assert again.status_code == 302
            unknown = await client.get("/oauth/nope/start", headers={**headers, **JSON})
            assert unknown.status_code == 422


async def test_callback_without_state_is_refused(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        answer = await w.browser.get(f"{w.base_url}/oauth/fake/callback?code=x", headers=JSON)
        assert answer.status_code == 400
        assert answer.json()["error"]["details"] == {"reason": "missing"}
