"""Event-subscribed Zendesk webhooks, registered through core's reconcile loop.

Zendesk issues each webhook's signing secret itself (it cannot be set on
create): every hook hookgate creates or adopts is returned with
``issued_secret`` read from ``GET /api/v2/webhooks/{id}/signing_secret``, and
rotation resets it (``POST`` to the same path) and reads the new one. Webhooks
are named ``hookgate <source>`` so ``filter[name_contains]`` finds them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from hookgate import ProviderAPIError, RemoteHook, SourceContext, Target
from hookgate.provider_api import ProviderAPI
from pydantic import SecretStr

from hookgate_zendesk.api import zendesk_api
from hookgate_zendesk.installation import ZendeskConnection, load_installation

NAME_PREFIX = "hookgate"
EVENT_PREFIX = "zen:event-type:"
TRIGGER = "conditional_ticket_events"
MAX_PAGES = 50
TRIAL_LIMIT_HINT = (
    "Zendesk trial accounts allow at most 10 webhooks: delete one in Admin Center → "
    "Apps and integrations → Webhooks, or upgrade the account"
)


def _base(target: Target) -> str:
    """The account's base URL, from the installation's template and the target's subdomain.

    Never from a URL stored on the target: targets come from a request body, and the
    connection's token must only ever go to the configured Zendesk.
    """
    try:
        subdomain = ZendeskConnection(subdomain=target.name)
    except ValueError:
        raise ProviderAPIError(
            f"target {target.name!r} is not a Zendesk subdomain: use account:<subdomain> "
            "as the connection's account lists it",
            status=400,
        ) from None
    return load_installation().base_url(subdomain)


def _events(source: SourceContext) -> list[str]:
    wrong = [e for e in source.events if not e.startswith(EVENT_PREFIX)]
    if wrong or not source.events:
        raise ProviderAPIError(
            "a registered Zendesk source subscribes to Zendesk event types "
            f"({EVENT_PREFIX}ticket.created, ...), not {', '.join(wrong) or 'nothing'}; "
            "webhooks fired by triggers or automations are made by hand (manual mode)",
            status=400,
        )
    return list(source.events)


def _desired(source: SourceContext) -> dict[str, Any]:
    return {
        "name": f"{NAME_PREFIX} {source.name} ({source.id})"[:255],
        "status": "active",
        "endpoint": source.url,
        "http_method": "POST",
        "request_format": "json",
        "subscriptions": _events(source),
    }


def _hook(target: Target, data: Any, secret: str | None = None) -> RemoteHook:
    if not isinstance(data, dict) or not data.get("id"):
        raise ProviderAPIError("Zendesk answered a webhook without an id")
    subscriptions = [str(s) for s in data.get("subscriptions") or []]
    drift = []
    if TRIGGER in subscriptions:
        drift.append("connected to triggers, not events (Zendesk cannot change that)")
    if data.get("http_method") != "POST" or data.get("request_format") != "json":
        drift.append("not POST with a JSON body")
    return RemoteHook(
        remote_id=str(data["id"]),
        target=target,
        url=str(data.get("endpoint") or ""),
        events=tuple(s for s in subscriptions if s != TRIGGER),
        active=data.get("status") == "active",
        drift=tuple(drift),
        issued_secret=SecretStr(secret) if secret else None,
    )


async def _call(api: ProviderAPI, method: str, url: str, doing: str, **kw: Any) -> Any:
    try:
        return await api.call(method, url, doing, **kw)
    except ProviderAPIError as exc:
        text = str(exc)
        if exc.status in (403, 422) and "limit" in text.lower():
            raise ProviderAPIError(
                f"{text} ({TRIAL_LIMIT_HINT})", status=exc.status, retryable=False
            ) from exc
        raise


async def _secret(api: ProviderAPI, base: str, hook_id: str, *, reset: bool = False) -> str:
    url = f"{base}/api/v2/webhooks/{quote(hook_id, safe='')}/signing_secret"
    if reset:
        await _call(api, "POST", url, f"reset the signing secret of webhook {hook_id}")
    body = await _call(api, "GET", url, f"read the signing secret of webhook {hook_id}")
    found = body.get("signing_secret") if isinstance(body, dict) else None
    secret = found.get("secret") if isinstance(found, dict) else None
    if not isinstance(secret, str) or len(secret) < 16:
        raise ProviderAPIError(f"Zendesk answered no usable signing secret for {hook_id}")
    return secret


async def list_webhooks(
    source: SourceContext, target: Target, client: httpx.AsyncClient
) -> list[RemoteHook]:
    base, api = _base(target), zendesk_api(client)
    url: str | None = f"{base}/api/v2/webhooks"
    params: dict[str, str | int] | None = {
        "filter[name_contains]": NAME_PREFIX,
        "page[size]": 100,
    }
    hooks: list[RemoteHook] = []
    for _ in range(MAX_PAGES):
        if url is None:
            return hooks
        page = await _call(api, "GET", url, f"list the webhooks of {target.name}", params=params)
        items = page.get("webhooks") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise ProviderAPIError("Zendesk's webhook list has no webhooks[]")
        for item in items:
            ours = str(item.get("endpoint") or "").rstrip("/") == source.url.rstrip("/")
            # The hook core will adopt needs its secret: Zendesk issued it, not hookgate.
            secret = await _secret(api, base, str(item["id"])) if ours else None
            hooks.append(_hook(target, item, secret))
        meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
        next_url = (page.get("links") or {}).get("next")
        url, params = (str(next_url), None) if meta.get("has_more") and next_url else (None, None)
    raise ProviderAPIError(f"more than {MAX_PAGES} pages of webhooks on {target.name}")


async def create_webhook(
    source: SourceContext, target: Target, client: httpx.AsyncClient
) -> RemoteHook:
    base, api = _base(target), zendesk_api(client)
    body = await _call(
        api,
        "POST",
        f"{base}/api/v2/webhooks",
        f"create a webhook on {target.name}",
        json={"webhook": _desired(source)},
    )
    data = body.get("webhook") if isinstance(body, dict) else None
    hook = _hook(target, data)
    return hook.model_copy(
        update={"issued_secret": SecretStr(await _secret(api, base, hook.remote_id))}
    )


async def update_webhook(
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> RemoteHook:
    base, api = _base(hook.target), zendesk_api(client)
    desired = _desired(source)
    await _call(
        api,
        "PATCH",
        f"{base}/api/v2/webhooks/{quote(hook.remote_id, safe='')}",
        f"update webhook {hook.remote_id} on {hook.target.name}",
        json={"webhook": {k: v for k, v in desired.items() if k != "name"}},
    )
    secret = await _secret(api, base, hook.remote_id)
    return hook.model_copy(
        update={
            "url": source.url,
            "events": tuple(desired["subscriptions"]),
            "active": True,
            "drift": (),
            "issued_secret": SecretStr(secret),
        }
    )


async def delete_webhook(
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> None:
    base, api = _base(hook.target), zendesk_api(client)
    url = f"{base}/api/v2/webhooks/{quote(hook.remote_id, safe='')}"
    await _call(api, "DELETE", url, f"delete webhook {hook.remote_id} on {hook.target.name}")


async def rotate_webhook_secret(
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> RemoteHook:
    base, api = _base(hook.target), zendesk_api(client)
    secret = await _secret(api, base, hook.remote_id, reset=True)
    return hook.model_copy(update={"issued_secret": SecretStr(secret)})


__all__ = [
    "NAME_PREFIX",
    "create_webhook",
    "delete_webhook",
    "list_webhooks",
    "rotate_webhook_secret",
    "update_webhook",
]
