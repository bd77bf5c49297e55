"""The OAuth dance against the fake provider: PKCE, and state checks a browser cannot get around."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from hookgate.services import connections, identity
from hookgate.services.common import Actor
from hookgate.store.models import OAuthConnection, OAuthState, utcnow
from sqlalchemy import select, update

from tests.core.oauth.support import JSON, Lab, confirm_in, lab

pytestmark = pytest.mark.anyio


async def _provider_url(w: Lab, browser: httpx.AsyncClient | None = None) -> tuple[str, str]:
    """(connection id, the provider's authorize URL) after opening hookgate's start URL."""
    started = await connections.create_connection(w.runtime, w.actor, "fake")
    assert started.authorize_url is not None
    assert started.authorize_url.startswith(f"{w.base_url}/oauth/fake/start?state=")
    answer = await (browser or w.browser).get(started.authorize_url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return started.id, answer.headers["location"]


async def _callback_url(w: Lab) -> tuple[str, str]:
    """(connection id, the callback URL the provider sends the browser to) without following it."""
    connection_id, provider_url = await _provider_url(w)
    answer = await w.browser.get(provider_url, follow_redirects=False)
    assert answer.status_code == 302
    return connection_id, answer.headers["location"]


async def test_full_dance_with_pkce_makes_an_active_connection(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection_id, provider_url = await _provider_url(w)
        query = parse_qs(urlsplit(provider_url).query)
        assert query["code_challenge_method"] == ["S256"]
        assert len(query["code_challenge"][0]) == 43  # base64url SHA-256
        assert query["redirect_uri"] == [f"{w.base_url}/oauth/fake/callback"]
        assert query["scope"] == ["account:read hooks:write"]

        confirmation = await w.browser.get(provider_url, headers=JSON)
        assert confirmation.status_code == 200, confirmation.text
        assert confirmation.json()["account"]["name"] == "Fake Account"
        assert confirmation.json()["workspace"] == "default"
        pending = await connections.get_connection(w.runtime, w.actor, connection_id)
        assert pending.status == "pending"  # nothing active before the admin confirms
        answer = await confirm_in(w.browser, confirmation)
        assert answer.status_code == 200, answer.text
        shown = answer.json()["connection"]
        assert shown["status"] == "active"
        assert shown["account_name"] == "Fake Account"
        started = await connections.get_connection(w.runtime, w.actor, connection_id)

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
        assert "Connect the fake account Fake Account to the hookgate workspace default" in (
            html.unescape(page.text)
        )
        fields = dict(re.findall(r'name="(state|csrf)" value="([^"]*)"', page.text))
        fields = {k: html.unescape(v) for k, v in fields.items()}
        action = html.unescape(re.findall(r'<form method="post" action="([^"]*)"', page.text)[0])
        assert action == f"{w.base_url}/oauth/fake/callback"
        done = await w.browser.post(action, data=fields)
        assert done.status_code == 200
        assert "connected to fake as Fake Account" in done.text


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
        assert (await confirm_in(w.browser, await w.browser.get(callback, headers=JSON))).is_success
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
        page = await w.browser.get(callback)
        assert page.status_code == 400
        assert "already used" in page.text


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
            assert answer.headers["location"].startswith(f"{w.base_url}/oauth/fake/start?state=")
            # The browser completes it; the connection is the admin's workspace's.
            done = await w.authorize(answer.headers["location"])
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


async def test_the_callback_is_refused_in_another_browser(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w, httpx.AsyncClient() as other:
        connection_id, provider_url = await _provider_url(w)
        cookie = next(c for c in w.browser.cookies.jar if c.name.startswith("hookgate_oauth_"))
        assert cookie.path == "/oauth/fake/"
        assert cookie.has_nonstandard_attr("HttpOnly")
        assert cookie.get_nonstandard_attr("SameSite") == "lax"
        assert cookie.expires is not None
        # Whoever approves the forwarded link in their own browser gets nowhere.
        approved = await other.get(provider_url, follow_redirects=False)
        refused = await other.get(approved.headers["location"], headers=JSON)
        assert refused.status_code == 400
        assert refused.json()["error"]["details"] == {"reason": "browser"}
        assert "another browser" in refused.json()["error"]["message"]
        # A second browser cannot bind the start URL either.
        started = await connections.create_connection(w.runtime, w.actor, "fake")
        assert (
            await w.browser.get(started.authorize_url or "", follow_redirects=False)
        ).is_redirect
        second = await other.get(started.authorize_url or "", headers=JSON)
        assert (second.status_code, second.json()["error"]["details"]) == (400, {"reason": "used"})
        view = await connections.get_connection(w.runtime, w.actor, connection_id)
        assert view.status == "pending"


async def test_the_confirmation_needs_the_page_token_and_the_browser(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w, httpx.AsyncClient() as other:
        connection_id, callback = await _callback_url(w)
        shown = await w.browser.get(callback, headers=JSON)
        form = shown.json()["confirm"]
        forged = await w.browser.post(
            form["url"], data={"state": form["state"], "csrf": "0" * 64}, headers=JSON
        )
        assert (forged.status_code, forged.json()["error"]["details"]) == (
            400,
            {"reason": "invalid"},
        )
        elsewhere = await other.post(
            form["url"], data={"state": form["state"], "csrf": form["csrf"]}, headers=JSON
        )
        assert elsewhere.json()["error"]["details"] == {"reason": "browser"}
        pending = await connections.get_connection(w.runtime, w.actor, connection_id)
        assert pending.status == "pending"
        assert (await confirm_in(w.browser, shown)).status_code == 200
        again = await confirm_in(w.browser, shown)  # the cookie went with the confirmation
        assert (again.status_code, again.json()["error"]["details"]) == (400, {"reason": "browser"})


async def test_a_demoted_admins_grant_is_refused(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        ada = await identity.create_user(w.runtime, workspace="acme", name="ada", role="admin")
        operator = Actor.operator(ada.workspace_id)
        started = await connections.create_connection(
            w.runtime, Actor(ada.workspace_id, ada.id, "admin", "ada"), "fake"
        )
        shown = await w.browser.get(started.authorize_url or "", headers=JSON)
        assert shown.json()["workspace"] == "acme"
        await identity.set_role(w.runtime, operator, ada.id, "member")
        refused = await confirm_in(w.browser, shown)
        assert refused.status_code == 403
        assert "no longer" in refused.json()["error"]["message"]
        async with w.runtime.db.session() as session:
            row = await session.get(OAuthConnection, started.id)
            state = (await session.scalars(select(OAuthState))).one()
        assert row is not None
        assert (row.status, row.token_enc) == ("pending", None)
        assert state.token_enc is None  # the held token is dropped, not kept for later
