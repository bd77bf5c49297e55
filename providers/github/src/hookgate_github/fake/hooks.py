"""The fake's repository and organization webhook endpoints (list, create, get, edit, delete).

Follows GitHub's documented behaviour: hooks need admin rights on the target
and a hook scope on the token (a missing scope answers 404 with
``X-Accepted-OAuth-Scopes``); a second hook with the same URL and overlapping
events is refused with 422 "Hook already exists on this repository"; an
organization hook made by an OAuth app is visible only to that app's tokens
(and hooks made by hand only to users); creating a hook sends it a ``ping``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hookgate_github.fake.model import (
    ORG_HOOK,
    REPO_HOOK_DELETE,
    REPO_HOOK_READ,
    REPO_HOOK_WRITE,
    Delivery,
    FakeHook,
    FakeToken,
    TargetType,
)
from hookgate_github.fake.responses import (
    Json,
    error,
    hook_error,
    hook_json,
    not_found,
    org_json,
    validation_failed,
)
from hookgate_github.fake.rest import accepted, has_scope, paged

if TYPE_CHECKING:
    from hookgate_github.fake.server import FakeGitHub

Target = tuple[TargetType, str]
RESTRICTED = (
    "Although you appear to have the correct authorization credentials, the `{org}` "
    "organization has enabled OAuth App access restrictions, meaning that data access to "
    "third-parties is limited."
)


def _scopes_for(target_type: TargetType, method: str) -> tuple[str, ...]:
    if target_type == "organization":
        return ORG_HOOK
    return {"GET": REPO_HOOK_READ, "DELETE": REPO_HOOK_DELETE}.get(method, REPO_HOOK_WRITE)


def resolve(gh: FakeGitHub, request: Request, token: FakeToken) -> Target | Response:
    """The target a hook request is about, or GitHub's refusal."""
    params = request.path_params
    kind: TargetType = "organization" if "org" in params else "repository"
    scopes = _scopes_for(kind, request.method)
    if not has_scope(token, scopes):
        return not_found(accepted(scopes))
    if kind == "organization":
        org = gh.orgs.get(params["org"].lower())
        if org is None or org.role != "admin":
            return not_found()
        if org.restricts_oauth_apps and token.client_id:
            return error(403, RESTRICTED.format(org=org.login))
        return kind, org.login
    repo = gh.repos.get(f"{params['owner']}/{params['repo']}".lower())
    if repo is None or not repo.visible or (repo.private and "repo" not in token.scopes):
        return not_found()
    if not repo.admin:
        return error(403, "Must have admin rights to Repository.")
    return kind, repo.full_name


def visible(hook: FakeHook, token: FakeToken) -> bool:
    # OAuth apps see only the organization hooks they made; users only those made by hand.
    return hook.target_type == "repository" or hook.created_by_app == token.client_id


async def collection(gh: FakeGitHub, request: Request, token: FakeToken) -> Response:
    target = resolve(gh, request, token)
    if isinstance(target, Response):
        return target
    if request.method == "POST":
        return await create(gh, request, token, target)
    found = [h for h in gh.hooks_on(target[1]) if visible(h, token)]
    return paged(gh, request, [hook_json(h, gh.api_url) for h in found])


async def create(gh: FakeGitHub, request: Request, token: FakeToken, target: Target) -> Response:
    body = await _json_body(request)
    if isinstance(body, Response):
        return body
    if problem := _invalid(body, creating=True):
        return validation_failed(problem)
    config, events = _config(body.get("config") or {}), _events(body.get("events") or ["push"])
    if any(_overlaps(h, config["url"], events) for h in gh.hooks_on(target[1])):
        place = "repository" if target[0] == "repository" else "organization"
        return validation_failed(hook_error(f"Hook already exists on this {place}"))
    hook = gh.add_hook(target[0], target[1], config["url"], events=tuple(events))
    hook.config.update(config)
    hook.active = bool(body.get("active", True))
    hook.created_by_app = token.client_id
    gh.deliveries.append(ping(gh, hook))
    location = hook_json(hook, gh.api_url)["url"]
    return JSONResponse(hook_json(hook, gh.api_url), 201, headers={"Location": location})


async def item(gh: FakeGitHub, request: Request, token: FakeToken) -> Response:
    target = resolve(gh, request, token)
    if isinstance(target, Response):
        return target
    hook = gh.hooks.get(request.path_params["hook_id"])
    if hook is None or hook.target.lower() != target[1].lower() or not visible(hook, token):
        return not_found()
    if request.method == "DELETE":
        del gh.hooks[hook.id]
        return Response(status_code=204)
    if request.method == "PATCH":
        return await edit(gh, request, hook)
    return JSONResponse(hook_json(hook, gh.api_url))


async def edit(gh: FakeGitHub, request: Request, hook: FakeHook) -> Response:
    body = await _json_body(request)
    if isinstance(body, Response):
        return body
    if problem := _invalid(body, creating=False):
        return validation_failed(problem)
    if "config" in body:
        hook.config.update(_config(body["config"]))
    if "events" in body:
        hook.events = _events(body["events"])
    hook.events += [e for e in body.get("add_events") or () if e not in hook.events]
    hook.events = [e for e in hook.events if e not in (body.get("remove_events") or ())]
    if "active" in body:
        hook.active = bool(body["active"])
    hook.updated_at = "2024-05-22T12:00:00Z"
    return JSONResponse(hook_json(hook, gh.api_url))


async def _json_body(request: Request) -> Json | Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return error(400, "Problems parsing JSON")
    if not isinstance(body, dict):
        return error(400, "Body should be a JSON object")
    return body


def _invalid(body: Json, *, creating: bool) -> Json | None:
    """The first validation error of a create or edit body, as GitHub words it."""
    if body.get("name", "web") != "web":
        return {"resource": "Hook", "code": "invalid", "field": "name"}
    config = body.get("config")
    if config is None and not creating:
        return None
    if not isinstance(config, dict) or not str(config.get("url") or "").startswith("http"):
        return hook_error("Config must contain a URL.")
    if config.get("content_type", "form") not in ("json", "form"):
        return {"resource": "Hook", "code": "invalid", "field": "content_type"}
    if str(config.get("insecure_ssl", "0")) not in ("0", "1"):
        return {"resource": "Hook", "code": "invalid", "field": "insecure_ssl"}
    events = body.get("events", ["push"])
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        return {"resource": "Hook", "code": "invalid", "field": "events"}
    return None


def _config(config: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in config.items() if v is not None}


def _events(events: list[Any]) -> list[str]:
    return list(dict.fromkeys(str(e) for e in events))


def _overlaps(hook: FakeHook, url: str, events: list[str]) -> bool:
    if hook.url != url:
        return False
    return "*" in events or "*" in hook.events or bool(set(events) & set(hook.events))


def ping(gh: FakeGitHub, hook: FakeHook) -> Delivery:
    """The ``ping`` GitHub sends to a new hook, signed with its secret like GitHub signs."""
    payload: Json = {"zen": "Design for failure.", "hook_id": hook.id}
    payload["hook"] = hook_json(hook, gh.api_url)
    if hook.target_type == "repository":
        repo = gh.repos[hook.target.lower()]
        target_id = repo.id
        payload["repository"] = {"id": repo.id, "name": repo.full_name.split("/")[1]}
        payload["repository"]["full_name"] = repo.full_name
    else:
        org = gh.orgs[hook.target.lower()]
        target_id = org.id
        payload["organization"] = org_json(org, gh.api_url)
    payload["sender"] = {"login": gh.login, "id": gh.user_id, "type": "User"}
    text = json.dumps(payload, separators=(",", ":"))
    form = hook.config.get("content_type") == "form"
    body = urlencode({"payload": text}).encode() if form else text.encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
        "User-Agent": "GitHub-Hookshot/fake",
        "X-GitHub-Event": "ping",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-GitHub-Hook-ID": str(hook.id),
        "X-GitHub-Hook-Installation-Target-Type": hook.target_type,
        "X-GitHub-Hook-Installation-Target-ID": str(target_id),
    }
    if hook.secret:
        digest = hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = f"sha256={digest}"
    return Delivery(hook.url, headers, body)


__all__ = ["collection", "create", "edit", "item", "ping", "resolve", "visible"]
