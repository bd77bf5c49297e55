"""The HTTP helpers: misconfigured API URLs and hostile pagination links give clear errors."""

from __future__ import annotations

import httpx
import pytest
from hookgate import OAuthToken, ProviderAPIError, SourceContext, Target
from hookgate.provider_hooks import ProviderHooks
from hookgate_github.fake import FakeGitHub

REPO = Target(type="repository", name="octo-org/webapp")


@pytest.mark.anyio
async def test_an_html_page_instead_of_the_api(
    hooks: ProviderHooks, github: FakeGitHub, source: SourceContext
) -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>Sign in</html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(html)) as client:
        with pytest.raises(ProviderAPIError, match="HOOKGATE_GITHUB_API_URL"):
            await hooks.list_webhooks(source, REPO, client)
        with pytest.raises(ProviderAPIError, match="HOOKGATE_GITHUB_API_URL"):
            await hooks.oauth_account(OAuthToken(access_token="t"), client)


@pytest.mark.anyio
async def test_pagination_never_leaves_the_api_host(
    hooks: ProviderHooks, github: FakeGitHub, source: SourceContext
) -> None:
    """The client carries the token: a next link elsewhere is refused, not followed."""
    seen: list[str] = []

    def pages(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        link = '<https://elsewhere.test/steal?page=2>; rel="next"'
        return httpx.Response(200, json=[], headers={"Link": link})

    async with httpx.AsyncClient(transport=httpx.MockTransport(pages)) as client:
        with pytest.raises(ProviderAPIError, match=r"elsewhere\.test"):
            await hooks.list_webhooks(source, REPO, client)
    assert seen == [f"{github.api_url}/repos/octo-org/webapp/hooks?per_page=100"]
