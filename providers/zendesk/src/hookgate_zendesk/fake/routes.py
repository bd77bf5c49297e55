"""The fake Zendesk's HTTP endpoints, as documented (provider-api-facts §5–6).

Every path starts with the account's subdomain (``/{subdomain}/oauth/...``,
``/{subdomain}/api/v2/...``): point ``HOOKGATE_ZENDESK_URL_TEMPLATE`` at
``{fake}/{subdomain}``. OAuth clients are local to one account, as in Zendesk.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate_zendesk.fake.model import FakeAccount, FakeWebhook

if TYPE_CHECKING:
    from hookgate_zendesk.fake.server import FakeZendesk

WEBHOOK_FIELDS = ("name", "status", "endpoint", "http_method", "request_format", "subscriptions")
TRIAL_LIMIT = 10


def _errors(status: int, code: str, title: str, detail: str = "") -> JSONResponse:
    item = {"code": code, "title": title, **({"detail": detail} if detail else {})}
    return JSONResponse({"errors": [item]}, status_code=status)


def _invalid(body: dict[str, Any]) -> str | None:
    missing = [f for f in WEBHOOK_FIELDS if f not in body]
    if missing:
        return f"missing {', '.join(missing)}"
    subscriptions = body["subscriptions"]
    if not isinstance(subscriptions, list) or not subscriptions:
        return "subscriptions must be a non-empty list"
    if "conditional_ticket_events" in subscriptions and len(subscriptions) > 1:
        return "conditional_ticket_events cannot be combined with event types"
    events = [s for s in subscriptions if s != "conditional_ticket_events"]
    if events and (body["http_method"] != "POST" or body["request_format"] != "json"):
        return "event subscriptions need http_method POST and request_format json"
    if any(not str(s).startswith("zen:event-type:") for s in events):
        return "event types are zen:event-type:<domain>.<event>"
    if body["status"] not in ("active", "inactive"):
        return "status is active or inactive"
    return None


def build_app(fake: FakeZendesk) -> Starlette:
    def account_of(request: Request) -> FakeAccount | None:
        return fake.accounts.get(request.path_params["subdomain"])

    async def api(request: Request, handler: Any) -> Response:
        account = account_of(request)
        if account is None:
            return JSONResponse({"error": "RecordNotFound"}, status_code=404)
        raw = await request.body()
        body = await request.json() if raw else None
        fake.requests.append((request.method, request.url.path, body))
        if fake.next_failure is not None:
            status, wait = fake.next_failure
            fake.next_failure = None
            return JSONResponse({"error": "TooManyRequests"}, status, headers={"Retry-After": wait})
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = fake.oauth.grant_for(token, realm=account.subdomain)
        if scheme.lower() != "bearer" or grant is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        if request.url.path.endswith("/users/me"):
            return await handler(request, account, body)  # type: ignore[no-any-return]
        if account.role != "admin" or "write" not in grant.scope.split():
            return _errors(403, "Forbidden", "You do not have access to this page")
        return await handler(request, account, body)  # type: ignore[no-any-return]

    def route(path: str, handler: Any, methods: list[str]) -> Route:
        async def endpoint(request: Request) -> Response:
            return await api(request, handler)

        return Route("/{subdomain}" + path, endpoint, methods=methods)

    async def me(request: Request, account: FakeAccount, body: Any) -> Response:
        role = account.role
        user = {"id": 8447388090494, "name": "Ada Admin", "email": "ada@example.com"}
        return JSONResponse({"user": {**user, "role": role, "custom_role_id": None}})

    async def webhooks(request: Request, account: FakeAccount, body: Any) -> Response:
        if request.method == "POST":
            return create(account, body)
        return listing(request, account)

    def create(account: FakeAccount, body: Any) -> Response:
        data = body.get("webhook") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return _errors(400, "InvalidInput", 'the body is {"webhook": {...}}')
        if problem := _invalid(data):
            return _errors(400, "InvalidInput", "Invalid webhook", problem)
        if account.subdomain in fake.refused:
            return _errors(403, "Forbidden", "You do not have access to this page")
        if account.trial and len(account.webhooks) >= TRIAL_LIMIT:
            return _errors(
                403,
                "WebhookLimitExceeded",
                "Trial accounts can have at most 10 webhooks",
                "Delete a webhook or upgrade the account",
            )
        hook = FakeWebhook(
            id=fake.new_id(),
            signing_secret=secrets.token_urlsafe(32),
            created_by="8447388090494",
            **{k: data[k] for k in WEBHOOK_FIELDS},
        )
        account.webhooks[hook.id] = hook
        return JSONResponse({"webhook": hook.as_json()}, status_code=201)

    def listing(request: Request, account: FakeAccount) -> Response:
        q = request.query_params
        found = sorted(account.webhooks.values(), key=lambda h: h.id)
        if needle := q.get("filter[name_contains]"):
            found = [h for h in found if needle.lower() in h.name.lower()]
        after = q.get("page[after]")
        if after:
            found = [h for h in found if h.id > after]
        size = min(int(q.get("page[size]") or 100), 100)
        page, more = found[:size], len(found) > size
        meta = {"has_more": more, "after_cursor": page[-1].id if page else None}
        links: dict[str, Any] = {"next": None}
        if more:
            query = urlencode({**dict(q), "page[after]": page[-1].id})
            links["next"] = f"{fake.base_url}{request.url.path}?{query}"
        return JSONResponse({"webhooks": [h.as_json() for h in page], "meta": meta, "links": links})

    async def webhook(request: Request, account: FakeAccount, body: Any) -> Response:
        hook = account.webhooks.get(request.path_params["id"])
        if hook is None:
            return _errors(404, "RecordNotFound", "Not found")
        if request.method == "DELETE":
            del account.webhooks[hook.id]
            return Response(status_code=204)
        if request.method == "GET":
            return JSONResponse({"webhook": hook.as_json()})
        data = body.get("webhook") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return _errors(400, "InvalidInput", 'the body is {"webhook": {...}}')
        merged = {**{k: getattr(hook, k) for k in WEBHOOK_FIELDS}, **data}
        if request.method == "PUT" and set(WEBHOOK_FIELDS) - set(data):
            return _errors(400, "InvalidInput", "PUT replaces the webhook: send every field")
        if problem := _invalid(merged):
            return _errors(400, "InvalidInput", "Invalid webhook", problem)
        was_trigger = "conditional_ticket_events" in hook.subscriptions
        if was_trigger != ("conditional_ticket_events" in merged["subscriptions"]):
            return _errors(400, "InvalidInput", "a webhook's connection method cannot change")
        for key in WEBHOOK_FIELDS:
            setattr(hook, key, merged[key])
        return Response(status_code=204)

    async def signing_secret(request: Request, account: FakeAccount, body: Any) -> Response:
        hook = account.webhooks.get(request.path_params["id"])
        if hook is None:
            return _errors(404, "RecordNotFound", "Not found")
        if request.method == "POST":  # reset: the old secret stops signing at once
            hook.signing_secret = secrets.token_urlsafe(32)
        secret = {"algorithm": "SHA256", "secret": hook.signing_secret}
        return JSONResponse({"signing_secret": secret})

    async def authorize(request: Request) -> Response:
        return await fake.oauth.authorize(request, realm=request.path_params["subdomain"])

    async def token(request: Request) -> Response:
        return await fake.oauth.token(request, realm=request.path_params["subdomain"])

    return Starlette(
        routes=[
            Route("/{subdomain}/oauth/authorizations/new", authorize),
            Route("/{subdomain}/oauth/tokens", token, methods=["POST"]),
            route("/api/v2/users/me", me, ["GET"]),
            route("/api/v2/webhooks", webhooks, ["GET", "POST"]),
            route("/api/v2/webhooks/{id}", webhook, ["GET", "PUT", "PATCH", "DELETE"]),
            route("/api/v2/webhooks/{id}/signing_secret", signing_secret, ["GET", "POST"]),
        ]
    )


__all__ = ["TRIAL_LIMIT", "build_app"]
