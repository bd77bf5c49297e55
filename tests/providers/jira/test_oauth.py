"""3LO OAuth against the fake Atlassian: the authorize URL, rotating refresh tokens, one refresh
at a time, and a reused old refresh token that kills the grant (needs_reauth, not a retry)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hookgate.oauth import oauth_for

from tests.providers.jira.conftest import jira_site

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_authorize_url_carries_audience_and_consent(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with jira_site(sqlite_url, monkeypatch, worker=False) as site:
        started = (await site.api.post("/connections", json={"provider": "jira"})).json()
        opened = await site.browser.get(started["authorize_url"], follow_redirects=False)
        query = parse_qs(urlsplit(opened.headers["location"]).query)
        assert query["audience"] == ["api.atlassian.com"]
        assert query["prompt"] == ["consent"]
        assert query["response_type"] == ["code"]
        assert query["scope"] == ["read:jira-work manage:jira-webhook read:me offline_access"]
        assert "code_challenge" not in query  # Atlassian Cloud documents no PKCE


async def test_rotating_refresh_tokens_one_refresh_and_a_reused_token_kills_the_grant(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with jira_site(sqlite_url, monkeypatch, worker=False) as site:
        site.atlassian.access_lifetime = 30  # every token is about to expire: use refreshes
        connection = await site.connect()
        (grant,) = site.atlassian.grants
        first_refresh_token = grant.refresh_token
        before = site.atlassian.token_requests
        manager = oauth_for(site.runtime)
        tokens = await asyncio.gather(*(manager.tokens.current(connection) for _ in range(2)))
        assert site.atlassian.token_requests == before + 1  # two callers, one refresh
        assert tokens[0] == tokens[1]
        assert grant.refresh_token != first_refresh_token  # rotated, the new one stored

        # Someone replays the old refresh token: Atlassian revokes the whole grant.
        token_url = f"{site.atlassian_url}/oauth/token"
        async with httpx.AsyncClient() as attacker:
            replay = await attacker.post(
                token_url,
                json={
                    "grant_type": "refresh_token",
                    "client_id": site.atlassian.client_id,
                    "client_secret": site.atlassian.client_secret,
                    "refresh_token": first_refresh_token,
                },
            )
        assert replay.status_code == 403
        assert grant.revoked
        account = await site.api.get(f"/connections/{connection}/account")
        assert account.status_code >= 400
        shown = (await site.api.get(f"/connections/{connection}")).json()
        assert shown["status"] == "needs_reauth"
