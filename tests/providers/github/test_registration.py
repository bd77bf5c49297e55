"""Registration hooks through the typed wrapper, against the fake GitHub API."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from hookgate import Headers, ProviderAPIError, RemoteHook, SourceContext, Target, WebhookRequest
from hookgate.provider_hooks import ProviderHooks
from hookgate_github.errors import GitHubRateLimited
from hookgate_github.fake import FakeGitHub

from tests.providers.github.conftest import SECRET

REPO = Target(type="repository", name="octo-org/webapp")
ORG = Target(type="organization", name="octo-org")


@pytest.fixture(autouse=True)
def scene(github: FakeGitHub) -> None:
    github.add_repo("octo-org/webapp")
    github.add_repo("octo-org/docs", admin=False)
    github.add_org("octo-org")
    github.add_org("friends", role="member")


def _request(delivery_body: bytes, headers: dict[str, str]) -> WebhookRequest:
    return WebhookRequest("POST", "/hooks/x/y", Headers(headers), delivery_body, datetime.now(UTC))


@pytest.mark.anyio
async def test_create_on_a_repository(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    created = await hooks.create_webhook(source, REPO, client)
    [stored] = github.hooks_on("octo-org/webapp")
    assert created == RemoteHook(
        remote_id=str(stored.id), target=REPO, url=source.url, events=source.events
    )
    assert stored.config == {
        "url": source.url,
        "content_type": "json",
        "secret": SECRET,
        "insecure_ssl": "0",
    }
    assert stored.events == ["pull_request", "issues"]
    assert stored.active
    post = next(r for r in github.requests if r.method == "POST")
    assert post.path == "/repos/octo-org/webapp/hooks"
    assert b'"name":"web"' in post.body.replace(b" ", b"")


@pytest.mark.anyio
async def test_the_ping_of_a_new_hook_verifies(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    created = await hooks.create_webhook(source, REPO, client)
    [ping] = github.deliveries
    request = _request(ping.body, ping.headers)
    assert hooks.verify_signature(source, request).valid
    identity = hooks.identify_event(source, request)
    assert identity.handshake
    assert identity.metadata["hook_id"] == created.remote_id


@pytest.mark.anyio
async def test_no_events_means_everything(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    created = await hooks.create_webhook(replace(source, events=()), ORG, client)
    assert github.hooks[int(created.remote_id)].events == ["*"]
    assert github.hooks[int(created.remote_id)].target_type == "organization"
    assert created.events == ()  # hookgate's "no events" is GitHub's "*"


@pytest.mark.anyio
async def test_existing_hook_with_the_same_url_is_adopted_and_updated(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    old = github.add_hook(
        "repository", "octo-org/webapp", source.url, events=("issues", "push"), secret="old"
    )
    github.edit_hook_behind_back(old.id, active=False)
    adopted = await hooks.create_webhook(source, REPO, client)
    assert adopted.remote_id == str(old.id)
    assert adopted.active
    assert len(github.hooks_on("octo-org/webapp")) == 1
    assert old.secret == SECRET
    assert old.events == ["pull_request", "issues"]
    statuses = [(r.method, r.path) for r in github.requests]
    assert statuses[0] == ("POST", "/repos/octo-org/webapp/hooks")  # refused with 422 first
    assert statuses[-1] == ("PATCH", f"/repos/octo-org/webapp/hooks/{old.id}")


@pytest.mark.anyio
async def test_hidden_organization_hook_cannot_be_adopted(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    # Made by hand: GitHub hides it from OAuth app tokens but still refuses a duplicate.
    github.add_hook("organization", "octo-org", source.url, events=("*",))
    with pytest.raises(ProviderAPIError, match="cannot see it") as caught:
        await hooks.create_webhook(source, ORG, client)
    assert caught.value.status == 422
    assert SECRET not in str(caught.value)


@pytest.mark.anyio
async def test_list_follows_pagination(
    hooks: ProviderHooks, monkeypatch: pytest.MonkeyPatch, source: SourceContext
) -> None:
    github = FakeGitHub(page_size=2)
    for name, value in github.settings_env().items():
        monkeypatch.setenv(name, value)
    github.add_repo("octo-org/webapp")
    for index in range(5):
        github.add_hook("repository", "octo-org/webapp", f"https://ci.test/{index}")
    github.add_hook("repository", "octo-org/webapp", source.url, events=("*",))
    async with github.client(github.issue_token()) as client:
        listed = await hooks.list_webhooks(source, REPO, client)
    assert len(listed) == 6
    assert [h.url for h in listed if h.url == source.url] == [source.url]
    assert [h.events for h in listed][-1] == ()
    assert len([r for r in github.requests if r.method == "GET"]) == 3


@pytest.mark.anyio
async def test_drift_is_listed_then_updated_away(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    created = await hooks.create_webhook(source, REPO, client)
    github.edit_hook_behind_back(
        created.remote_id, events=["push"], active=False, content_type="form", insecure_ssl="1"
    )
    [drifted] = await hooks.list_webhooks(source, REPO, client)
    assert (drifted.events, drifted.active) == (("push",), False)
    updated = await hooks.update_webhook(source, drifted, client)
    assert (updated.events, updated.active) == (source.events, True)
    stored = github.hooks[int(created.remote_id)]
    assert stored.config["content_type"] == "json"
    assert stored.config["insecure_ssl"] == "0"
    assert stored.secret == SECRET


@pytest.mark.anyio
async def test_update_pushes_a_rotated_secret(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    created = await hooks.create_webhook(source, REPO, client)
    rotated = replace(source, secrets=("new-secret-0123456789abcdef", SECRET))
    await hooks.update_webhook(rotated, created, client)
    assert github.hooks[int(created.remote_id)].secret == "new-secret-0123456789abcdef"


@pytest.mark.anyio
async def test_updating_a_hook_deleted_behind_our_back(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    created = await hooks.create_webhook(source, REPO, client)
    github.delete_hook_behind_back(created.remote_id)
    assert await hooks.list_webhooks(source, REPO, client) == []
    with pytest.raises(ProviderAPIError, match="is gone from octo-org/webapp") as caught:
        await hooks.update_webhook(source, created, client)
    assert caught.value.status == 404


@pytest.mark.anyio
async def test_delete_and_delete_again(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    created = await hooks.create_webhook(source, ORG, client)
    await hooks.delete_webhook(source, created, client)
    assert github.hooks_on("octo-org") == []
    await hooks.delete_webhook(source, created, client)  # 404: already gone is fine


@pytest.mark.anyio
async def test_delete_without_the_scope_is_not_mistaken_for_gone(
    hooks: ProviderHooks, github: FakeGitHub, source: SourceContext
) -> None:
    hook = github.add_hook("repository", "octo-org/webapp", source.url)
    token = github.issue_token(("read:repo_hook",), client_id=github.client_id)
    remote = RemoteHook(remote_id=str(hook.id), target=REPO, url=source.url)
    async with github.client(token) as client:
        with pytest.raises(ProviderAPIError, match="admin:repo_hook"):
            await hooks.delete_webhook(source, remote, client)
    assert github.hooks_on("octo-org/webapp") == [hook]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            Target(type="repository", name="octo-org/docs"),
            "no admin rights on octo-org/docs (or it does not exist): "
            "the OAuth user needs admin access to the repository",
        ),
        (
            Target(type="repository", name="octo-org/missing"),
            "no admin rights on octo-org/missing (or it does not exist): "
            "the OAuth user needs admin access to the repository",
        ),
        (
            Target(type="organization", name="friends"),
            "no admin rights on organization friends (or it does not exist): "
            "the OAuth user must be an owner of the organization",
        ),
    ],
)
async def test_no_admin_rights_names_the_target(
    hooks: ProviderHooks,
    client: httpx.AsyncClient,
    source: SourceContext,
    target: Target,
    message: str,
) -> None:
    with pytest.raises(ProviderAPIError) as caught:
        await hooks.create_webhook(source, target, client)
    assert str(caught.value) == message
    assert caught.value.status in (403, 404)
    assert not caught.value.retryable


@pytest.mark.anyio
async def test_organization_restricting_oauth_apps(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    github.add_org("locked", restricts_oauth_apps=True)
    with pytest.raises(ProviderAPIError, match="an organization owner must approve"):
        await hooks.create_webhook(source, Target(type="organization", name="locked"), client)


@pytest.mark.anyio
async def test_missing_hook_scope_is_named(
    hooks: ProviderHooks, github: FakeGitHub, source: SourceContext
) -> None:
    token = github.issue_token(("repo", "read:org"), client_id=github.client_id)
    async with github.client(token) as client:
        with pytest.raises(ProviderAPIError, match="needs one of admin:org_hook"):
            await hooks.create_webhook(source, ORG, client)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "status", "wait"),
    [("primary", 403, 120), ("primary", 429, 5), ("secondary", 403, 30), ("secondary", 429, 7)],
)
async def test_rate_limits_are_retryable_with_the_wait(
    hooks: ProviderHooks,
    github: FakeGitHub,
    client: httpx.AsyncClient,
    source: SourceContext,
    kind: str,
    status: int,
    wait: int,
) -> None:
    github.rate_limit(kind=kind, status=status, wait=wait)  # type: ignore[arg-type]
    with pytest.raises(GitHubRateLimited) as caught:
        await hooks.create_webhook(source, REPO, client)
    error = caught.value
    assert isinstance(error, ProviderAPIError)
    assert (error.status, error.retryable) == (status, True)
    assert wait - 2 <= error.retry_after <= wait + 1
    assert f"retry in {error.retry_after} s" in str(error)
    assert await hooks.create_webhook(source, REPO, client)  # the limit has passed


@pytest.mark.anyio
async def test_secondary_limit_without_retry_after_waits_a_minute(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    github.rate_limit(kind="secondary", wait=None)
    with pytest.raises(GitHubRateLimited) as caught:
        await hooks.list_webhooks(source, REPO, client)
    assert caught.value.retry_after == 60


@pytest.mark.anyio
async def test_outage_is_retryable(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    github.fail_next(502)
    with pytest.raises(ProviderAPIError) as caught:
        await hooks.list_webhooks(source, REPO, client)
    assert (caught.value.status, caught.value.retryable) == (502, True)


@pytest.mark.anyio
async def test_revoked_token_needs_reauthorization(
    hooks: ProviderHooks,
    github: FakeGitHub,
    token: str,
    client: httpx.AsyncClient,
    source: SourceContext,
) -> None:
    github.revoke(token)
    with pytest.raises(ProviderAPIError, match="reconnect GitHub") as caught:
        await hooks.create_webhook(source, REPO, client)
    assert caught.value.status == 401


@pytest.mark.anyio
async def test_network_failure_is_retryable(hooks: ProviderHooks, source: SourceContext) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(ProviderAPIError, match="cannot reach GitHub") as caught:
            await hooks.list_webhooks(source, REPO, client)
    assert caught.value.retryable


@pytest.mark.anyio
@pytest.mark.parametrize(
    "target",
    [
        Target(type="repository", name="no-slash"),
        Target(type="repository", name="../../user"),
        Target(type="organization", name="a/b"),
        Target(type="site", name="octo-org"),
    ],
)
async def test_bad_targets_are_refused_before_any_call(
    hooks: ProviderHooks,
    github: FakeGitHub,
    client: httpx.AsyncClient,
    source: SourceContext,
    target: Target,
) -> None:
    with pytest.raises(ProviderAPIError):
        await hooks.create_webhook(source, target, client)
    assert github.requests == []


@pytest.mark.anyio
async def test_enterprise_server_api_prefix(
    hooks: ProviderHooks, monkeypatch: pytest.MonkeyPatch, source: SourceContext
) -> None:
    github = FakeGitHub(host="ghe.example.test", api_prefix="/api/v3")
    for name, value in github.settings_env().items():
        monkeypatch.setenv(name, value)
    github.add_repo("octo-org/webapp")
    async with github.client(github.issue_token()) as client:
        created = await hooks.create_webhook(source, REPO, client)
        assert await hooks.list_webhooks(source, REPO, client) == [created]
    assert github.requests[0].path == "/api/v3/repos/octo-org/webapp/hooks"


@pytest.mark.anyio
async def test_every_call_sends_githubs_headers(
    hooks: ProviderHooks, github: FakeGitHub, client: httpx.AsyncClient, source: SourceContext
) -> None:
    created = await hooks.create_webhook(source, REPO, client)
    await hooks.list_webhooks(source, REPO, client)
    await hooks.update_webhook(source, created, client)
    await hooks.delete_webhook(source, created, client)
    assert len(github.requests) == 4
    for recorded in github.requests:
        assert recorded.headers["accept"] == "application/vnd.github+json"
        assert recorded.headers["x-github-api-version"] == "2022-11-28"
        assert recorded.headers["host"] == "api.github.test"
