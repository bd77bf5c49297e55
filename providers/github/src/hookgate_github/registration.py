"""Repository and organization webhooks: the primitives core's reconcile loop calls.

A hook is registered with ``name: "web"`` and ``config: {url, content_type:
"json", secret, insecure_ssl: "0"}`` (deliveries are signed with the source's
secret, and GitHub must verify hookgate's TLS certificate). GitHub refuses a
second hook with the same URL and overlapping events ("Hook already exists",
422); hookgate then adopts the existing hook and updates it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from hookgate import ProviderAPIError, RemoteHook, SourceContext, Target

from hookgate_github.api import GitHubAPI, Json, json_body
from hookgate_github.errors import api_error, github_message, missing_scopes

#: GitHub's event wildcard; hookgate's "no events listed" means the same.
ALL_EVENTS = "*"
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_REPOSITORY = re.compile(rf"^{_OWNER}/[A-Za-z0-9._-]{{1,100}}$")
_ORGANIZATION = re.compile(rf"^{_OWNER}$")


def hooks_path(target: Target) -> str:
    """``/repos/{owner}/{repo}/hooks`` or ``/orgs/{org}/hooks`` for a target."""
    if target.type == "repository":
        if not _REPOSITORY.match(target.name):
            raise ProviderAPIError(f"{target.name!r} is not a GitHub repository: use owner/repo")
        owner, repo = target.name.split("/")
        return f"/repos/{quote(owner)}/{quote(repo)}/hooks"
    if target.type == "organization":
        if not _ORGANIZATION.match(target.name):
            raise ProviderAPIError(f"{target.name!r} is not a GitHub organization login")
        return f"/orgs/{quote(target.name)}/hooks"
    raise ProviderAPIError(
        f"GitHub webhooks go on a repository or an organization, not a {target.type!r}"
    )


def hook_path(target: Target, remote_id: str) -> str:
    if not remote_id.isdigit():
        raise ProviderAPIError(f"{remote_id!r} is not a GitHub webhook id")
    return f"{hooks_path(target)}/{remote_id}"


def desired(source: SourceContext) -> Json:
    """The hook's settings GitHub should hold for ``source`` (PATCH body; POST adds the name)."""
    if not source.secrets:
        raise ProviderAPIError(
            f"source {source.name!r} has no signing secret; rotate its secret, then reconcile"
        )
    return {
        "config": {
            "url": source.url,
            "content_type": "json",
            "secret": source.secrets[0],
            "insecure_ssl": "0",
        },
        "events": list(source.events) or [ALL_EVENTS],
        "active": True,
    }


def to_remote(data: Any, target: Target) -> RemoteHook | None:
    """A GitHub hook object as core sees it; ``None`` for anything that is not a URL hook."""
    if not isinstance(data, dict) or "id" not in data:
        return None
    url = (data.get("config") or {}).get("url")
    if not isinstance(url, str):
        return None
    events = tuple(str(e) for e in data.get("events") or ())
    return RemoteHook(
        remote_id=str(data["id"]),
        target=target,
        url=url,
        events=() if events == (ALL_EVENTS,) else events,
        active=bool(data.get("active", True)),
    )


def _checked(data: Any, target: Target, doing: str) -> RemoteHook:
    hook = to_remote(data, target)
    if hook is None:
        raise ProviderAPIError(f"GitHub answered an unexpected object while trying to {doing}")
    return hook


async def list_hooks(api: GitHubAPI, target: Target) -> list[RemoteHook]:
    doing = f"list the webhooks of {target.name}"
    found = await api.pages(hooks_path(target), doing, target=target)
    return [h for h in (to_remote(d, target) for d in found) if h is not None]


async def create_hook(api: GitHubAPI, source: SourceContext, target: Target) -> RemoteHook:
    doing = f"create a webhook on {target.name}"
    body = {"name": "web", **desired(source)}
    response = await api.send("POST", api.url(hooks_path(target)), doing, json=body)
    if response.status_code == 422 and "already exists" in github_message(response):
        return await _adopt(api, source, target)
    if not response.is_success:
        raise api_error(response, doing, target)
    return _checked(json_body(response, doing), target, doing)


async def _adopt(api: GitHubAPI, source: SourceContext, target: Target) -> RemoteHook:
    """Take over the hook GitHub says already exists for this URL, and bring it up to date."""
    existing = next((h for h in await list_hooks(api, target) if h.url == source.url), None)
    if existing is None:
        # GitHub hides organization hooks made by hand or by another OAuth app from our token.
        raise ProviderAPIError(
            f"GitHub says a webhook for this source's URL already exists on {target.name}, but "
            "hookgate cannot see it (it was made by hand or by another OAuth app): delete it in "
            "GitHub's webhook settings, then reconcile the source",
            status=422,
        )
    return await update_hook(api, source, existing)


async def update_hook(api: GitHubAPI, source: SourceContext, hook: RemoteHook) -> RemoteHook:
    doing = f"update webhook {hook.remote_id} on {hook.target.name}"
    url = api.url(hook_path(hook.target, hook.remote_id))
    response = await api.send("PATCH", url, doing, json=desired(source))
    if response.status_code == 404 and not missing_scopes(response):
        raise ProviderAPIError(
            f"webhook {hook.remote_id} is gone from {hook.target.name} (deleted there, or the "
            "OAuth user lost admin rights): reconciling the source creates it again",
            status=404,
        )
    if not response.is_success:
        raise api_error(response, doing, hook.target)
    return _checked(json_body(response, doing), hook.target, doing)


async def delete_hook(api: GitHubAPI, hook: RemoteHook) -> None:
    doing = f"delete webhook {hook.remote_id} on {hook.target.name}"
    response = await api.send("DELETE", api.url(hook_path(hook.target, hook.remote_id)), doing)
    if response.status_code == 404 and not missing_scopes(response):
        return  # already gone (deleted by hand, or the repository is gone): nothing to undo
    if not response.is_success:
        raise api_error(response, doing, hook.target)


__all__ = [
    "ALL_EVENTS",
    "create_hook",
    "delete_hook",
    "desired",
    "hook_path",
    "hooks_path",
    "list_hooks",
    "to_remote",
    "update_hook",
]
