"""Token refresh: before expiry, after a 401, with rotation, once at a time, and when revoked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hookgate import Runtime
from hookgate.oauth import NeedsReauth, oauth_for
from hookgate.services import connections
from hookgate.store.models import OAuthConnection, utcnow
from sqlalchemy import update

from tests.core.oauth.support import fake_plugins, lab

pytestmark = pytest.mark.anyio


async def _token_row(runtime: Runtime, connection_id: str) -> OAuthConnection:
    async with runtime.db.session() as session:
        row = await session.get(OAuthConnection, connection_id)
    assert row is not None
    return row


async def test_a_token_about_to_expire_is_refreshed_and_rotated(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        api = w.api
        connection = await w.connect()
        tokens = oauth_for(w.runtime).tokens
        before = tokens.decode(await _token_row(w.runtime, connection.id))
        # An hour passes: the token expires in 30 s, inside the 60 s refresh margin.
        soon = before.model_copy(update={"expires_at": utcnow() + timedelta(seconds=30)})
        async with w.runtime.db.session() as session, session.begin():
            await session.execute(update(OAuthConnection).values(token_enc=tokens.encode(soon)))
        account = await connections.connection_account(w.runtime, w.actor, connection.id)
        assert account.name == "Fake Account"
        row = await _token_row(w.runtime, connection.id)
        after = tokens.decode(row)
        assert api.token_requests == ["authorization_code", "refresh_token"]
        assert after.access_token != before.access_token
        assert after.refresh_token != before.refresh_token  # rotated, and stored
        assert row.token_version == 2
        assert row.refresh_lease_until is None


async def test_a_401_refreshes_once_and_retries(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection = await w.connect()
        w.api.expire_access_tokens()  # the provider ended the token early
        account = await connections.connection_account(w.runtime, w.actor, connection.id)
        assert account.account_id == "acct-42"
        assert w.api.token_requests.count("refresh_token") == 1
        assert [r for r in w.api.requests if r[1] == "/api/account"].__len__() == 3


async def test_concurrent_refreshes_make_one_token_request(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection = await w.connect()
        w.api.slow_next(0.3, path="/oauth/token")  # a slow token endpoint widens the race
        tokens = oauth_for(w.runtime).tokens
        version = (await _token_row(w.runtime, connection.id)).token_version
        # Two tasks of this process, and a second process (another runtime on the same database).
        other = Runtime(w.runtime.settings, plugins=fake_plugins(w.api))
        try:
            results = await asyncio.gather(
                tokens.refresh(connection.id, version),
                tokens.refresh(connection.id, version),
                oauth_for(other).tokens.refresh(connection.id, version),
            )
        finally:
            await other.db.dispose()
        assert w.api.token_requests.count("refresh_token") == 1
        assert len({token.access_token for token, _ in results}) == 1
        assert {v for _, v in results} == {version + 1}


async def test_a_revoked_grant_needs_reauthorization(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection = await w.connect()
        w.api.revoke_grant()
        with pytest.raises(connections.NeedsAuthorization, match="authorize"):
            await connections.connection_account(w.runtime, w.actor, connection.id)
        view = await connections.get_connection(w.runtime, w.actor, connection.id)
        assert view.status == "needs_reauth"
        assert "invalid_grant" in (view.status_reason or "")
        with pytest.raises(NeedsReauth):
            await oauth_for(w.runtime).tokens.current(connection.id)
        # Authorizing again brings it back.
        again = await connections.reauthorize(w.runtime, w.actor, connection.id)
        assert (await w.authorize(again.authorize_url or "")).status_code == 200
        view = await connections.get_connection(w.runtime, w.actor, connection.id)
        assert (view.status, view.status_reason) == ("active", None)
