"""The fake GitHub itself behaves as GitHub documents (so other tests can trust it)."""

from __future__ import annotations

import pytest
from hookgate_github.fake import FakeGitHub


@pytest.mark.anyio
async def test_bad_credentials(github: FakeGitHub) -> None:
    async with github.client("gho_not-a-token") as client:
        answer = await client.get(f"{github.api_url}/user")
    assert answer.status_code == 401
    assert answer.json()["message"] == "Bad credentials"


@pytest.mark.anyio
async def test_unsupported_api_version(github: FakeGitHub, token: str) -> None:
    async with github.client(token) as client:
        answer = await client.get(
            f"{github.api_url}/user", headers={"X-GitHub-Api-Version": "2001-01-01"}
        )
    assert answer.status_code == 400


@pytest.mark.anyio
async def test_link_header_pagination(token: str) -> None:
    github = FakeGitHub()
    for index in range(7):
        github.add_repo(f"octocat/r{index}")
    token = github.issue_token()
    async with github.client(token) as client:
        first = await client.get(f"{github.api_url}/user/repos", params={"per_page": 3})
        last = await client.get(first.links["last"]["url"])
    assert [r["full_name"] for r in first.json()] == ["octocat/r0", "octocat/r1", "octocat/r2"]
    assert "page=2" in first.links["next"]["url"]
    assert [r["full_name"] for r in last.json()] == ["octocat/r6"]
    assert "next" not in last.links


@pytest.mark.anyio
async def test_hook_secret_is_masked_and_duplicates_refused(github: FakeGitHub, token: str) -> None:
    github.add_repo("octo-org/webapp")
    body = {
        "name": "web",
        "config": {"url": "https://hookgate.test/h", "content_type": "json", "secret": "s3cret"},
        "events": ["push"],
    }
    url = f"{github.api_url}/repos/octo-org/webapp/hooks"
    async with github.client(token) as client:
        created = await client.post(url, json=body)
        again = await client.post(url, json=body)
        other_events = await client.post(url, json={**body, "events": ["issues"]})
    assert created.status_code == 201
    assert created.json()["config"]["secret"] == "********"
    assert again.status_code == 422
    assert again.json()["errors"][0]["message"] == "Hook already exists on this repository"
    assert other_events.status_code == 201  # same URL, no overlapping events: allowed


@pytest.mark.anyio
async def test_form_hooks_get_form_pings(github: FakeGitHub, token: str) -> None:
    github.add_repo("octo-org/webapp")
    body = {"config": {"url": "https://hookgate.test/h", "content_type": "form", "secret": "s"}}
    async with github.client(token) as client:
        await client.post(f"{github.api_url}/repos/octo-org/webapp/hooks", json=body)
    [ping] = github.deliveries
    assert ping.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert ping.body.startswith(b"payload=")


@pytest.mark.anyio
async def test_authorize_refuses_a_foreign_redirect(github: FakeGitHub) -> None:
    async with github.client() as web:
        answer = await web.get(
            f"{github.web_url}/login/oauth/authorize",
            params={"client_id": github.client_id, "redirect_uri": "https://evil.test/cb"},
        )
    assert answer.status_code == 302
    assert "error=redirect_uri_mismatch" in answer.headers["location"]
    assert answer.headers["location"].startswith("https://hookgate.test/oauth/github/callback")


@pytest.mark.anyio
async def test_denied_consent(github: FakeGitHub) -> None:
    github.deny_authorization = True
    async with github.client() as web:
        answer = await web.get(
            f"{github.web_url}/login/oauth/authorize",
            params={"client_id": github.client_id, "state": "s1"},
        )
    assert "error=access_denied" in answer.headers["location"]
    assert "state=s1" in answer.headers["location"]


@pytest.mark.anyio
async def test_wrong_client_secret(github: FakeGitHub) -> None:
    async with github.client() as web:
        answer = await web.post(
            f"{github.web_url}/login/oauth/access_token",
            data={"client_id": github.client_id, "client_secret": "nope", "code": "x"},
            headers={"Accept": "application/json"},
        )
    assert answer.status_code == 200
    assert answer.json()["error"] == "incorrect_client_credentials"
