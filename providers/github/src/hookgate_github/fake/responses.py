"""GitHub's documented response shapes: error bodies, pagination links, resource objects."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from hookgate_github.fake.model import FakeHook, FakeOrg, FakeRepo

DOCS = "https://docs.github.com/rest"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100

Json = dict[str, Any]


def error(
    status: int,
    message: str,
    *,
    errors: list[Json] | None = None,
    headers: dict[str, str] | None = None,
    docs: str = DOCS,
) -> JSONResponse:
    body: Json = {"message": message, "documentation_url": docs, "status": str(status)}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status, headers=headers)


def not_found(headers: dict[str, str] | None = None) -> JSONResponse:
    return error(404, "Not Found", headers=headers)


def validation_failed(*errors: Json) -> JSONResponse:
    return error(422, "Validation Failed", errors=list(errors))


def hook_error(message: str) -> Json:
    return {"resource": "Hook", "code": "custom", "message": message}


def page_of(request: Request, items: list[Any], cap: int | None) -> tuple[list[Any], str | None]:
    """One page of ``items`` per ``page``/``per_page``, and GitHub's ``Link`` header."""
    per_page = _int(request.query_params.get("per_page"), DEFAULT_PER_PAGE)
    per_page = max(1, min(per_page, MAX_PER_PAGE, cap or MAX_PER_PAGE))
    page = max(1, _int(request.query_params.get("page"), 1))
    last = max(1, -(-len(items) // per_page))
    chosen = items[(page - 1) * per_page : page * per_page]

    def link(number: int, rel: str) -> str:
        url = request.url.include_query_params(per_page=per_page, page=number)
        return f'<{url}>; rel="{rel}"'

    links = []
    if page > 1:
        links += [link(page - 1, "prev"), link(1, "first")]
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    return chosen, ", ".join(links) or None


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def user_json(login: str, user_id: int, kind: str = "User") -> Json:
    return {
        "login": login,
        "id": user_id,
        "node_id": f"U_{user_id}",
        "type": kind,
        "site_admin": False,
        "html_url": f"https://github.com/{login}",
    }


def repo_json(repo: FakeRepo, api: str, user: Json) -> Json:
    return {
        "id": repo.id,
        "name": repo.full_name.split("/", 1)[1],
        "full_name": repo.full_name,
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "owner": user_json(repo.owner, 1000 + repo.id, "Organization"),
        "html_url": f"https://github.com/{repo.full_name}",
        "url": f"{api}/repos/{repo.full_name}",
        "hooks_url": f"{api}/repos/{repo.full_name}/hooks",
        "default_branch": "main",
        "permissions": {
            "admin": repo.admin,
            "maintain": repo.admin,
            "push": True,
            "triage": True,
            "pull": True,
        },
    }


def org_json(org: FakeOrg, api: str) -> Json:
    return {
        "login": org.login,
        "id": org.id,
        "node_id": f"O_{org.id}",
        "url": f"{api}/orgs/{org.login}",
        "hooks_url": f"{api}/orgs/{org.login}/hooks",
        "description": None,
    }


def hook_json(hook: FakeHook, api: str) -> Json:
    """A hook as GitHub shows it: the secret is masked, never echoed."""
    config = {k: v for k, v in hook.config.items() if k != "secret"}
    if hook.secret:
        config["secret"] = "********"  # noqa: S105 - GitHub's mask, not a secret
    base = (
        f"{api}/repos/{hook.target}/hooks/{hook.id}"
        if hook.target_type == "repository"
        else f"{api}/orgs/{hook.target}/hooks/{hook.id}"
    )
    data: Json = {
        "type": "Repository" if hook.target_type == "repository" else "Organization",
        "id": hook.id,
        "name": "web",
        "active": hook.active,
        "events": list(hook.events),
        "config": config,
        "updated_at": hook.updated_at,
        "created_at": hook.created_at,
        "url": base,
        "ping_url": f"{base}/pings",
        "deliveries_url": f"{base}/deliveries",
        "last_response": {"code": None, "status": "unused", "message": None},
    }
    if hook.target_type == "repository":
        data["test_url"] = f"{base}/test"
    return data


__all__ = [
    "DOCS",
    "Json",
    "error",
    "hook_error",
    "hook_json",
    "not_found",
    "org_json",
    "page_of",
    "repo_json",
    "user_json",
    "validation_failed",
]
