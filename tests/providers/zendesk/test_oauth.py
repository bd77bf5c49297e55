"""OAuth per subdomain: the client spec, the fake's grants, the account hook, API errors."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from hookgate import OAuthToken, ProviderAPIError, SourceContext, Target
from hookgate.provider_hooks import ProviderHooks
from hookgate_zendesk.fake import FakeZendesk
from hookgate_zendesk.installation import ZendeskInstallation

CALLBACK = "https://hookgate.test/oauth/zendesk/callback"


def test_endpoints_live_on_the_subdomain(
    hooks: ProviderHooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOOKGATE_ZENDESK_URL_TEMPLATE")
    spec = hooks.oauth_client(hooks.connection_params({"subdomain": "https://Acme.zendesk.com/"}))
    assert spec is not None
    assert spec.authorize_url == "https://acme.zendesk.com/oauth/authorizations/new"
    assert spec.token_url == "https://acme.zendesk.com/oauth/tokens"
    assert (spec.scopes, spec.pkce) == (("read", "write"), True)


@pytest.mark.parametrize(
    "template", ["https://zendesk.com", "ftp://{subdomain}.zendesk.com", "https://{subdomain}?x=1"]
)
def test_url_template_must_be_a_safe_template(template: str) -> None:
    with pytest.raises(ValueError, match=r"subdomain|query"):
        ZendeskInstallation(url_template=template)


@pytest.mark.anyio
async def test_code_flow_with_pkce_and_rotating_refresh() -> None:
    fake = FakeZendesk(callback_url=CALLBACK)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": fake.client_id,
        "redirect_uri": CALLBACK,
        "scope": "read write",
        "state": "st",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app), base_url="https://zendesk.test"
    ) as client:
        wrong_account = await client.get(f"/globex/oauth/authorizations/new?{urlencode(query)}")
        assert wrong_account.json()["error"] == "invalid_client"  # local to its account
        shown = await client.get(f"/acme/oauth/authorizations/new?{urlencode(query)}")
        code = parse_qs(urlsplit(shown.headers["location"]).query)["code"][0]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "redirect_uri": CALLBACK,
        }
        no_verifier = await client.post("/acme/oauth/tokens", data=form)
        assert no_verifier.status_code == 400
        shown = await client.get(f"/acme/oauth/authorizations/new?{urlencode(query)}")
        form["code"] = parse_qs(urlsplit(shown.headers["location"]).query)["code"][0]
        tokens = await client.post("/acme/oauth/tokens", json={**form, "code_verifier": verifier})
        first = tokens.json()
        assert first["expires_in"] == 1800
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
        }
        second = (await client.post("/acme/oauth/tokens", data=refresh)).json()
        assert second["refresh_token"] != first["refresh_token"]
        me = "/acme/api/v2/users/me"
        old = await client.get(me, headers={"Authorization": f"Bearer {first['access_token']}"})
        assert old.status_code == 401  # a refresh deletes the previous pair
        reused = await client.post("/acme/oauth/tokens", data=refresh)
        assert reused.json()["error"] == "invalid_grant"


@pytest.mark.anyio
async def test_account_shows_role_and_webhook_rights(hooks: ProviderHooks) -> None:
    fake = FakeZendesk()
    fake.accounts["acme"].role = "agent"
    async with fake.client(fake.issue_token()) as client:
        account = await hooks.oauth_account(
            OAuthToken(access_token="x"), client, {"subdomain": "acme"}
        )
    (target,) = account.targets
    assert (account.account_id, target.name, target.role) == ("acme", "acme", "agent")
    assert target.can_manage_webhooks is False
    assert "not an admin" in account.notes[0]


@pytest.mark.anyio
async def test_refusals_become_messages_for_an_admin(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    fake = FakeZendesk()
    fake.accounts["acme"].trial = True
    for n in range(10):
        fake.add_webhook("acme", f"https://elsewhere.test/{n}", ["zen:event-type:user.created"])
    async with fake.client(fake.issue_token()) as client:
        with pytest.raises(ProviderAPIError, match="at most 10 webhooks") as limit:
            await hooks.create_webhook(source, Target(type="account", name="acme"), client)
        assert not limit.value.retryable
        fake.accounts["acme"].role = "agent"
        with pytest.raises(ProviderAPIError, match="may not manage webhooks"):
            await hooks.create_webhook(source, Target(type="account", name="acme"), client)
        with pytest.raises(ProviderAPIError, match="not a Zendesk subdomain"):
            await hooks.create_webhook(source, Target(type="account", name="a.b/c"), client)
