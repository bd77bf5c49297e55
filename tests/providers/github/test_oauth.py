"""OAuth: the client spec core runs the flow with, the flow against the fake, the account hook."""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from hookgate import ConfigurationError, OAuthToken, ProviderAPIError, Target
from hookgate.provider_hooks import ProviderHooks
from hookgate_github.fake import FakeGitHub
from hookgate_github.settings import load_github_settings

CALLBACK = "https://hookgate.test/oauth/github/callback"


def test_client_spec_defaults_to_github_com(
    hooks: ProviderHooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("WEB_URL", "API_URL"):
        monkeypatch.delenv(f"HOOKGATE_GITHUB_{name}", raising=False)
    spec = hooks.oauth_client()
    assert spec is not None
    assert spec.authorize_url == "https://github.com/login/oauth/authorize"
    assert spec.token_url == "https://github.com/login/oauth/access_token"
    assert spec.scopes == ("admin:repo_hook", "admin:org_hook", "read:org", "repo")
    assert spec.pkce
    assert spec.token_endpoint_auth_method == "client_secret_post"


def test_client_spec_follows_enterprise_settings(
    hooks: ProviderHooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKGATE_GITHUB_WEB_URL", "https://ghe.example.com/")
    spec = hooks.oauth_client()
    assert spec is not None
    assert spec.authorize_url == "https://ghe.example.com/login/oauth/authorize"


def test_settings_from_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "hookgate.toml"
    config.write_text('github_api_url = "https://ghe.example.com/api/v3"\nport = 9000\n')
    monkeypatch.setenv("HOOKGATE_CONFIG_FILE", str(config))
    monkeypatch.delenv("HOOKGATE_GITHUB_API_URL", raising=False)
    monkeypatch.setenv("HOOKGATE_GITHUB_CLIENT_ID", "from-env")
    settings = load_github_settings()
    assert settings.api_url == "https://ghe.example.com/api/v3"
    assert settings.client_id == "from-env"


def test_bad_url_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKGATE_GITHUB_API_URL", "api.github.com")
    with pytest.raises(ConfigurationError, match="HOOKGATE_GITHUB_API_URL"):
        load_github_settings()


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def _authorize(hooks: ProviderHooks, web: httpx.AsyncClient, challenge: str) -> str:
    """What the admin's browser does: follow the authorize URL, land on the callback."""
    spec = hooks.oauth_client()
    assert spec is not None
    query = {
        "client_id": FakeGitHub().client_id,
        "redirect_uri": CALLBACK,
        "scope": spec.scope_separator.join(spec.scopes),
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **spec.extra_authorize_params,
    }
    answer = await web.get(f"{spec.authorize_url}?{urlencode(query)}")
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    params = parse_qs(location.query)
    assert params["state"] == ["state-123"]
    return params["code"][0]


async def _exchange(
    github: FakeGitHub, web: httpx.AsyncClient, code: str, verifier: str, accept: str | None
) -> httpx.Response:
    spec_token_url = f"{github.web_url}/login/oauth/access_token"
    form = {
        "client_id": github.client_id,
        "client_secret": github.settings_env()["HOOKGATE_GITHUB_CLIENT_SECRET"],
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        "grant_type": "authorization_code",
    }
    headers = {"Accept": accept} if accept else {}
    return await web.post(spec_token_url, data=form, headers=headers)


@pytest.mark.anyio
async def test_full_flow_with_pkce_then_account(hooks: ProviderHooks, github: FakeGitHub) -> None:
    github.add_repo("octo-org/webapp")
    verifier, challenge = _pkce()
    async with github.client() as web:
        code = await _authorize(hooks, web, challenge)
        answer = await _exchange(github, web, code, verifier, "application/json")
    token = answer.json()
    assert token["token_type"] == "bearer"
    # GitHub lists granted scopes comma-separated, whatever separator the request used.
    assert token["scope"] == "admin:org_hook,admin:repo_hook,read:org,repo"
    async with github.client(token["access_token"]) as client:
        account = await hooks.oauth_account(OAuthToken(access_token=token["access_token"]), client)
    assert account.name == "octocat"
    assert account.targets == [Target(type="repository", name="octo-org/webapp")]


@pytest.mark.anyio
async def test_token_endpoint_answers_a_form_without_the_json_accept_header(
    hooks: ProviderHooks, github: FakeGitHub
) -> None:
    verifier, challenge = _pkce()
    async with github.client() as web:
        answer = await _exchange(
            github, web, await _authorize(hooks, web, challenge), verifier, None
        )
    assert answer.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(answer.text)["token_type"] == ["bearer"]


@pytest.mark.anyio
async def test_wrong_pkce_verifier_and_reused_code_are_refused(
    hooks: ProviderHooks, github: FakeGitHub
) -> None:
    verifier, challenge = _pkce()
    async with github.client() as web:
        code = await _authorize(hooks, web, challenge)
        wrong = await _exchange(github, web, code, "not-the-verifier" * 3, "application/json")
        right = await _exchange(github, web, code, verifier, "application/json")
        again = await _exchange(github, web, code, verifier, "application/json")
    # GitHub reports token errors with HTTP 200 and an "error" field.
    assert (wrong.status_code, wrong.json()["error"]) == (200, "bad_verification_code")
    assert "access_token" in right.json()
    assert again.json()["error"] == "bad_verification_code"


@pytest.mark.anyio
async def test_account_lists_admin_orgs_and_repos_across_pages(
    hooks: ProviderHooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    github = FakeGitHub(page_size=2)
    for name, value in github.settings_env().items():
        monkeypatch.setenv(name, value)
    github.add_org("octo-org")
    github.add_org("Octo-Labs")
    github.add_org("friends", role="member")
    for index in range(5):
        github.add_repo(f"octocat/repo-{index}", private=index % 2 == 0)
    github.add_repo("friends/site", admin=False)
    github.add_repo("secret/hidden", visible=False)
    token = github.issue_token(client_id=github.client_id)
    async with github.client(token) as client:
        account = await hooks.oauth_account(OAuthToken(access_token=token), client)
    assert account.account_id == str(github.user_id)
    assert [(t.type, t.name) for t in account.targets] == [
        ("organization", "octo-org"),
        ("organization", "Octo-Labs"),
        *[("repository", f"octocat/repo-{i}") for i in range(5)],
    ]
    repo_pages = [r for r in github.requests if r.path == "/user/repos"]
    assert len(repo_pages) == 3  # 6 visible repositories, 2 per page
    for recorded in github.requests:
        assert recorded.headers["accept"] == "application/vnd.github+json"
        assert recorded.headers["x-github-api-version"] == "2022-11-28"
        assert recorded.headers["host"] == "api.github.test"


@pytest.mark.anyio
async def test_account_on_enterprise_server(
    hooks: ProviderHooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    github = FakeGitHub(host="ghe.example.test", api_prefix="/api/v3")
    for name, value in github.settings_env().items():
        monkeypatch.setenv(name, value)
    github.add_repo("platform/api")
    token = github.issue_token()
    async with github.client(token) as client:
        account = await hooks.oauth_account(OAuthToken(access_token=token), client)
    assert [t.name for t in account.targets] == ["platform/api"]
    assert {r.path for r in github.requests} >= {"/api/v3/user", "/api/v3/user/repos"}


@pytest.mark.anyio
async def test_account_works_with_a_client_that_does_not_authenticate(
    hooks: ProviderHooks, github: FakeGitHub, token: str
) -> None:
    async with github.client() as bare:
        account = await hooks.oauth_account(OAuthToken(access_token=token), bare)
    assert account.name == "octocat"


@pytest.mark.anyio
async def test_revoked_grant_asks_for_reauthorization(
    hooks: ProviderHooks, github: FakeGitHub, token: str, client: httpx.AsyncClient
) -> None:
    github.revoke(token)
    with pytest.raises(ProviderAPIError, match="reconnect GitHub") as caught:
        await hooks.oauth_account(OAuthToken(access_token=token), client)
    assert caught.value.status == 401
    assert not caught.value.retryable
    assert token not in str(caught.value)


@pytest.mark.anyio
async def test_missing_read_org_scope_is_named(hooks: ProviderHooks, github: FakeGitHub) -> None:
    token = github.issue_token(("admin:repo_hook", "repo"), client_id=github.client_id)
    async with github.client(token) as client:
        with pytest.raises(ProviderAPIError, match="lacks the scope") as caught:
            await hooks.oauth_account(OAuthToken(access_token=token), client)
    assert "read:org" in str(caught.value)
