"""Dynamic webhooks on a Jira Cloud site: register, list, refresh, replace, delete.

All under ``{api}/ex/jira/{cloudId}/rest/api/3/webhook``. Facts that shape it
(provider-api-facts §2):

- register answers 200 even when an entry failed: each
  ``webhookRegistrationResult[]`` entry holds ``createdWebhookId`` or
  ``errors``; a failure is reported with Atlassian's words and anything the
  same call created is deleted again;
- there is no update call: a change of events or JQL creates the replacement
  first, then deletes the old webhook, so the source is never without one;
- webhooks expire 30 days after registration or refresh (``expirationDate``,
  epoch ms or a string, both parsed); core's scheduled reconcile refreshes
  them within its margin (7 days) and replaces one that expired or vanished;
- 5 webhooks per app, per user, per site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from hookgate import ProviderAPIError, RemoteHook, SourceContext, Target

from hookgate_jira import jql
from hookgate_jira.api import JiraAPI, Json

WEBHOOK = "/rest/api/3/webhook"
#: The events dynamic webhooks accept (the register operation's enum).
DYNAMIC_EVENTS = (
    "jira:issue_created",
    "jira:issue_updated",
    "jira:issue_deleted",
    "comment_created",
    "comment_updated",
    "comment_deleted",
    "issue_property_set",
    "issue_property_deleted",
)
LIFETIME = timedelta(days=30)
CAP = 5
_CLOUD_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_CAP_WORDS = ("limit", "maximum", "exceed", "too many")


def _invalid(message: str) -> ProviderAPIError:
    return ProviderAPIError(message, status=400)


def cloud_id(target: Target) -> str:
    if target.type != "site" or not _CLOUD_ID.match(target.name):
        raise _invalid(
            f"target {target.type}:{target.name} is not a Jira site: use site:<cloudId> as "
            "GET /api/v1/connections/{id}/account lists it"
        )
    return target.name


def project_keys(target: Target) -> list[str]:
    """The target's projects: ``["KEY"]`` (CLI ``--project``) or ``[{"key": ...}]`` (account)."""
    raw = getattr(target, "projects", None) or []
    if not isinstance(raw, list):
        raise _invalid("a site target's projects must be a list of project keys")
    keys = [str(p.get("key") if isinstance(p, dict) else p).strip() for p in raw]
    return list(dict.fromkeys(k for k in keys if k and k != "None"))


def desired_jql(target: Target) -> str:
    """The target's JQL, checked against what dynamic webhooks accept, before any call."""
    own = getattr(target, "jql", None)
    keys = project_keys(target)
    if own and keys:
        raise _invalid("give a site target either projects or its own jql, not both")
    if not own and not keys:
        raise _invalid(
            f"site {target.name}: name the projects to watch (--project KEY, or "
            '"projects": ["KEY"]) or give your own jql'
        )
    try:
        return jql.check(str(own)) if own else jql.for_projects(keys)
    except jql.JQLError as exc:
        raise _invalid(
            f"site {target.name}: the JQL is not accepted by Jira webhooks: {exc}"
        ) from None


def _events(source: SourceContext) -> list[str]:
    if not source.events:
        raise _invalid(f"choose the events to register: any of {', '.join(DYNAMIC_EVENTS)}")
    other = sorted(set(source.events) - set(DYNAMIC_EVENTS))
    if other:
        raise _invalid(
            f"Jira's dynamic webhooks cannot send {other}: use any of {', '.join(DYNAMIC_EVENTS)}"
        )
    return list(source.events)


def parse_expiration(value: Any) -> datetime | None:
    """``expirationDate``: epoch ms (the schema) or ``2019-06-01T12:42:30.000+0000`` (examples)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    if isinstance(value, str):
        for form in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
            try:
                return datetime.strptime(value.strip(), form).astimezone(UTC)
            except ValueError:
                continue
    return None


async def list_hooks(api: JiraAPI, source: SourceContext, target: Target) -> list[RemoteHook]:
    """The app's webhooks on the site, each with how it differs from what the target wants."""
    wanted = desired_jql(target)
    values = await api.pages(
        api.site(cloud_id(target), WEBHOOK), f"list the webhooks on site {target.name}"
    )
    now = datetime.now(UTC)
    return [_remote(v, target, wanted, now) for v in values if "id" in v]


def _remote(value: Json, target: Target, wanted: str, now: datetime) -> RemoteHook:
    expires = parse_expiration(value.get("expirationDate"))
    drift = []
    if str(value.get("jqlFilter") or "").strip() != wanted:
        drift.append("jql")
    if expires is not None and expires <= now:
        drift.append("expired")
    return RemoteHook(
        remote_id=str(value["id"]),
        target=target,
        url=str(value.get("url") or ""),
        events=tuple(str(e) for e in value.get("events") or ()),
        expires_at=expires,
        drift=tuple(drift),
    )


async def create_hook(api: JiraAPI, source: SourceContext, target: Target) -> RemoteHook:
    events = _events(source)
    body = {"url": source.url, "webhooks": [{"events": events, "jqlFilter": desired_jql(target)}]}
    doing = f"register a webhook on site {target.name}"
    answer = await api.call("POST", api.site(cloud_id(target), WEBHOOK), doing, json=body)
    results = answer.get("webhookRegistrationResult") if isinstance(answer, dict) else None
    if not isinstance(results, list) or not results:
        raise ProviderAPIError(f"Atlassian's answer has no webhookRegistrationResult ({doing})")
    created = [
        str(r["createdWebhookId"])
        for r in results
        if isinstance(r, dict) and "createdWebhookId" in r
    ]
    errors = [str(e) for r in results if isinstance(r, dict) for e in r.get("errors") or []]
    if errors or len(created) != len(results):
        await _delete_ids(api, target, created)
        raise _refused(target, errors)
    return RemoteHook(
        remote_id=created[0],
        target=target,
        url=source.url,
        events=tuple(events),
        expires_at=datetime.now(UTC) + LIFETIME,
    )


def _refused(target: Target, errors: list[str]) -> ProviderAPIError:
    said = "; ".join(errors) or "no reason given"
    text = f"Atlassian refused the webhook on site {target.name}: {said}"
    if any(word in said.lower() for word in _CAP_WORDS):
        text += (
            f". Atlassian allows {CAP} webhooks per OAuth app, per user, per site: delete a "
            "source on this site, or cover more projects with one source, or connect as "
            "another user"
        )
    return ProviderAPIError(text, status=400)


async def update_hook(api: JiraAPI, source: SourceContext, hook: RemoteHook) -> RemoteHook:
    """No update call exists: create the replacement first, then delete the old one."""
    replacement = await create_hook(api, source, hook.target)
    await delete_hook(api, hook)
    return replacement


async def delete_hook(api: JiraAPI, hook: RemoteHook) -> None:
    """Delete one webhook; Atlassian ignores ids it does not know, so gone is fine."""
    await _delete_ids(api, hook.target, [hook.remote_id])


async def _delete_ids(api: JiraAPI, target: Target, ids: Iterable[str]) -> None:
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if numbers:
        await api.call(
            "DELETE",
            api.site(cloud_id(target), WEBHOOK),
            f"delete webhooks {numbers} on site {target.name}",
            json={"webhookIds": numbers},
        )


async def refresh_hook(api: JiraAPI, hook: RemoteHook) -> RemoteHook:
    """Extend the webhook's life by 30 days (``PUT .../webhook/refresh``)."""
    if not hook.remote_id.isdigit():
        raise _invalid(f"webhook id {hook.remote_id!r} is not a Jira webhook id")
    answer = await api.call(
        "PUT",
        api.site(cloud_id(hook.target), f"{WEBHOOK}/refresh"),
        f"refresh webhook {hook.remote_id} on site {hook.target.name}",
        json={"webhookIds": [int(hook.remote_id)]},
    )
    expires = parse_expiration(answer.get("expirationDate") if isinstance(answer, dict) else None)
    if expires is None:
        raise ProviderAPIError("Atlassian's refresh answer has no expirationDate", retryable=True)
    return hook.model_copy(update={"expires_at": expires, "drift": ()})


__all__ = [
    "CAP",
    "DYNAMIC_EVENTS",
    "create_hook",
    "delete_hook",
    "desired_jql",
    "list_hooks",
    "parse_expiration",
    "refresh_hook",
    "update_hook",
]
