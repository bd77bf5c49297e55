"""Atlassian OAuth 2.0 (3LO) and what a grant reaches: sites and their projects.

One grant can reach several sites but has one rotating refresh-token chain, so
one connection stands for the grant and each site is a target
(``site:<cloudId>``); the admin chooses the site, never hookgate. Refresh
tokens rotate on every use; core stores the new token set before anything
else uses it and runs one refresh per connection at a time.
"""

from __future__ import annotations

import httpx
from hookgate import OAuthAccount, OAuthClientSpec, OAuthToken, ProviderAPIError, Target

from hookgate_jira.api import JiraAPI, Json
from hookgate_jira.settings import JiraInstallation

#: Why each scope (docs/jira.md says the same for admins):
SCOPES: tuple[str, ...] = (
    "read:jira-work",  # list projects; required with manage:jira-webhook to register webhooks
    "manage:jira-webhook",  # register, list, refresh and delete dynamic webhooks
    "read:me",  # who connected (GET /me): the connection's account name
    "offline_access",  # a refresh token: access tokens last an hour, sources months
)
#: Said with every account, because otherwise registration succeeds and nothing arrives.
PRIVATE_APP_NOTE = (
    "Jira delivers the webhooks of a private (not distributed) OAuth app only when the "
    "person who connected is the app's owner in the Atlassian developer console. If you are "
    "not, enable sharing under Distribution in the console, or let the owner connect."
)
CAP_NOTE = (
    "Atlassian allows 5 webhooks per OAuth app, per user, per site: each source on a site "
    "uses one, whatever the number of projects it covers."
)


def client_spec(settings: JiraInstallation) -> OAuthClientSpec:
    return OAuthClientSpec(
        authorize_url=f"{settings.auth_url}/authorize",
        token_url=f"{settings.auth_url}/oauth/token",
        scopes=SCOPES,
        extra_authorize_params={"audience": "api.atlassian.com", "prompt": "consent"},
        # Atlassian Cloud documents no PKCE for 3LO; the client secret authenticates.
        pkce=False,
    )


async def account(
    token: OAuthToken, client: httpx.AsyncClient, settings: JiraInstallation
) -> OAuthAccount:
    """Who connected, and every Jira site the grant reaches with its projects."""
    del token  # core's client already sends it
    api = JiraAPI(client, settings.api_url)
    me = await api.call("GET", f"{settings.api_url}/me", "read who connected (GET /me)")
    if not isinstance(me, dict) or not me.get("account_id"):
        raise ProviderAPIError(
            "Atlassian's /me answer has no account_id: is HOOKGATE_JIRA_API_URL "
            "https://api.atlassian.com?"
        )
    sites = await _sites(api, settings.api_url)
    if not sites:
        raise ProviderAPIError(
            "the grant reaches no Jira site: connect with an account that can use Jira, "
            "and choose the site on Atlassian's consent page"
        )
    targets = [await _site_target(api, site) for site in sites]
    name = str(me.get("name") or me.get("email") or me["account_id"])
    return OAuthAccount(
        account_id=str(me["account_id"]),
        name=name,
        targets=targets,
        notes=[PRIVATE_APP_NOTE, CAP_NOTE],
    )


async def _sites(api: JiraAPI, api_url: str) -> list[Json]:
    found = await api.call(
        "GET", f"{api_url}/oauth/token/accessible-resources", "list the sites the grant reaches"
    )
    if not isinstance(found, list):
        raise ProviderAPIError("Atlassian's accessible-resources answer is not a list")
    # Confluence-only sites are listed too: keep those the grant may use Jira on.
    return [
        s
        for s in found
        if isinstance(s, dict)
        and s.get("id")
        and any("jira" in str(scope) for scope in s.get("scopes") or [])
    ]


async def _site_target(api: JiraAPI, site: Json) -> Target:
    cloud_id = str(site["id"])
    projects = await api.pages(
        api.site(cloud_id, "/rest/api/3/project/search"),
        f"list the projects of {site.get('name') or cloud_id}",
    )
    return Target(
        type="site",
        name=cloud_id,
        site_name=str(site.get("name") or ""),
        url=str(site.get("url") or ""),
        projects=[
            {"key": str(p["key"]), "name": str(p.get("name") or "")}
            for p in projects
            if p.get("key")
        ],
    )


__all__ = ["CAP_NOTE", "PRIVATE_APP_NOTE", "SCOPES", "account", "client_spec"]
