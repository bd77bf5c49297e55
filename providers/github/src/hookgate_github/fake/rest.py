"""The fake's account endpoints: the signed-in user, their organizations and repositories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hookgate_github.fake.model import READ_ORG, FakeRepo, FakeToken
from hookgate_github.fake.responses import error, org_json, page_of, repo_json, user_json

if TYPE_CHECKING:
    from hookgate_github.fake.server import FakeGitHub


def paged(gh: FakeGitHub, request: Request, items: list[Any]) -> Response:
    page, link = page_of(request, items, gh.page_size)
    return JSONResponse(page, headers={"Link": link} if link else None)


def accepted(scopes: tuple[str, ...]) -> dict[str, str]:
    return {"X-Accepted-OAuth-Scopes": ", ".join(scopes)}


def has_scope(token: FakeToken, scopes: tuple[str, ...]) -> bool:
    return bool(set(token.scopes) & set(scopes))


async def user(gh: FakeGitHub, request: Request, token: FakeToken) -> Response:
    return JSONResponse(user_json(gh.login, gh.user_id), headers=accepted(()))


async def user_orgs(gh: FakeGitHub, request: Request, token: FakeToken) -> Response:
    return paged(gh, request, [org_json(o, gh.api_url) for o in gh.orgs.values()])


async def memberships(gh: FakeGitHub, request: Request, token: FakeToken) -> Response:
    if not has_scope(token, READ_ORG):
        return error(
            403,
            "You need at least read:org scope or user scope to list your organization memberships.",
            headers=accepted(READ_ORG),
        )
    state = request.query_params.get("state")
    items = [
        {
            "url": f"{gh.api_url}/orgs/{o.login}/memberships/{gh.login}",
            "state": "active",
            "role": o.role,
            "organization_url": f"{gh.api_url}/orgs/{o.login}",
            "organization": org_json(o, gh.api_url),
            "user": user_json(gh.login, gh.user_id),
        }
        for o in gh.orgs.values()
        if state in (None, "active")
    ]
    return paged(gh, request, items)


def visible_repos(gh: FakeGitHub, token: FakeToken) -> list[FakeRepo]:
    """What the token lets the user see: private repositories need the ``repo`` scope."""
    return [r for r in gh.repos.values() if r.visible and (not r.private or "repo" in token.scopes)]


async def user_repos(gh: FakeGitHub, request: Request, token: FakeToken) -> Response:
    me = user_json(gh.login, gh.user_id)
    return paged(gh, request, [repo_json(r, gh.api_url, me) for r in visible_repos(gh, token)])


__all__ = ["accepted", "has_scope", "memberships", "paged", "user", "user_orgs", "user_repos"]
