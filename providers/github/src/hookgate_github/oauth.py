"""The GitHub OAuth app flow and what a grant reaches.

GitHub OAuth apps issue tokens that do not expire and have no refresh token;
a revoked grant shows as ``401 Bad credentials``. The token endpoint answers
``application/x-www-form-urlencoded`` unless the request sends
``Accept: application/json``, and lists the granted scopes comma-separated.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx
from hookgate import OAuthAccount, OAuthClientSpec, OAuthToken, ProviderAPIError, Target

from hookgate_github.api import GitHubAPI
from hookgate_github.settings import GitHubSettings

#: Why each scope (docs/github.md says the same for admins):
SCOPES: tuple[str, ...] = (
    "admin:repo_hook",  # create, list, update and delete repository webhooks
    "admin:org_hook",  # the same for organization webhooks
    "read:org",  # list organizations and the user's role in them (owners may add org hooks)
    "repo",  # see private repositories and the user's admin permission on them
)


def client_spec(settings: GitHubSettings) -> OAuthClientSpec:
    return OAuthClientSpec(
        authorize_url=f"{settings.web_url}/login/oauth/authorize",
        token_url=f"{settings.web_url}/login/oauth/access_token",
        scopes=SCOPES,
        # An admin connecting an existing account has no use for GitHub's sign-up link.
        extra_authorize_params={"allow_signup": "false"},
    )


async def account(
    token: OAuthToken, client: httpx.AsyncClient, settings: GitHubSettings
) -> OAuthAccount:
    """The signed-in user and the organizations and repositories they administer."""
    api = GitHubAPI(client, settings.api_url, token=token.access_token)
    user = await api.call("GET", "/user", "read the signed-in GitHub user")
    if not isinstance(user, dict) or "id" not in user or "login" not in user:
        raise ProviderAPIError(
            "GitHub's /user answer has no id and login: is HOOKGATE_GITHUB_API_URL GitHub's API?"
        )
    targets = [*await _admin_orgs(api), *await _admin_repos(api)]
    return OAuthAccount(account_id=str(user["id"]), name=str(user["login"]), targets=targets)


async def _admin_orgs(api: GitHubAPI) -> list[Target]:
    """Organizations where the user is an owner: only owners may manage organization hooks."""
    orgs = await api.pages("/user/orgs", "list your GitHub organizations")
    memberships = await api.pages(
        "/user/memberships/orgs",
        "read your role in your GitHub organizations",
        params={"state": "active"},
    )
    # Logins are case-insensitive on GitHub.
    owned = {
        _login(m.get("organization")).lower()
        for m in memberships
        if m.get("role") == "admin" and m.get("state", "active") == "active"
    }
    names = (_login(o) for o in orgs)
    return [Target(type="organization", name=n) for n in _unique(names) if n.lower() in owned]


async def _admin_repos(api: GitHubAPI) -> list[Target]:
    """Repositories (own, collaborator, organization member) where the user has admin rights."""
    repos = await api.pages("/user/repos", "list your GitHub repositories")
    names = (
        str(r["full_name"])
        for r in repos
        if r.get("full_name") and (r.get("permissions") or {}).get("admin") is True
    )
    return [Target(type="repository", name=n) for n in _unique(names)]


def _login(value: object) -> str:
    return str(value.get("login", "")) if isinstance(value, dict) else ""


def _unique(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


__all__ = ["SCOPES", "account", "client_spec"]
