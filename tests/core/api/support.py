"""A hookgate server with two workspaces and API keys, and a checker for the OpenAPI contract."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema
from hookgate import Runtime, create_app
from hookgate.api import openapi_document
from hookgate.config import Settings
from hookgate.plugins import PluginManager
from hookgate.services import identity
from hookgate.services.common import Actor, default_actor
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.server import running_server
from tests.support import Served, settings_for

CALLERS = ("admin", "member", "other", "anonymous", "revoked")


@dataclass
class World:
    """Workspace ``acme`` (admin ``ada``, member ``max``) and workspace ``globex`` (admin ``gus``).

    ``clients`` holds one API client per caller of :data:`CALLERS`: ``other`` is
    globex's admin, ``anonymous`` sends no key, ``revoked`` sends ada's revoked key.
    """

    served: Served
    actors: dict[str, Actor]
    keys: dict[str, str]
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    @property
    def runtime(self) -> Any:
        return self.served.runtime


async def _user(served: Served, workspace: str, name: str, role: str) -> tuple[Actor, str]:
    rt = served.runtime
    user = await identity.create_user(rt, workspace=workspace, name=name, role=role)
    key = await identity.create_key(rt, Actor.operator(user.workspace_id), user.id)
    assert key.key is not None
    actor = Actor(user.workspace_id, user.id, "admin" if role == "admin" else "member", name)
    return actor, key.key


@contextlib.asynccontextmanager
async def _serving(settings: Settings, plugins: PluginManager | None) -> AsyncIterator[Served]:
    """``tests.support.serving`` with a plugin manager of the test's choosing."""
    runtime = Runtime(settings, plugins=plugins)
    async with (
        running_server(create_app(runtime)) as base_url,
        httpx.AsyncClient(base_url=base_url) as client,
    ):
        yield Served(runtime, base_url, client, await default_actor(runtime))


@contextlib.asynccontextmanager
async def world(
    database_url: str, plugins: PluginManager | None = None, **overrides: Any
) -> AsyncIterator[World]:
    async with _serving(settings_for(database_url, **overrides), plugins) as served:
        actors: dict[str, Actor] = {}
        keys: dict[str, str] = {}
        actors["admin"], keys["admin"] = await _user(served, "acme", "ada", "admin")
        actors["member"], keys["member"] = await _user(served, "acme", "max", "member")
        actors["other"], keys["other"] = await _user(served, "globex", "gus", "admin")
        revoked = await identity.create_key(
            served.runtime, actors["admin"], actors["admin"].user_id
        )
        await identity.revoke_key(served.runtime, actors["admin"], revoked.id)
        assert revoked.key is not None
        keys["revoked"] = revoked.key
        w = World(served, actors, keys)
        async with contextlib.AsyncExitStack() as stack:
            for who in CALLERS:
                headers = {"Authorization": f"Bearer {keys[who]}"} if who in keys else {}
                w.clients[who] = await stack.enter_async_context(
                    httpx.AsyncClient(base_url=f"{served.base_url}/api/v1", headers=headers)
                )
            yield w


class Contract:
    """Checks answers against the OpenAPI document the server publishes."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document = document or openapi_document()
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource("urn:openapi", resource)

    def operations(self) -> set[tuple[str, str]]:
        """(METHOD, path template relative to /api/v1) of every documented operation."""
        return {
            (method.upper(), path.removeprefix("/api/v1"))
            for path, item in self.document["paths"].items()
            for method in item
        }

    def problems(self, method: str, template: str, response: httpx.Response) -> list[str]:
        """What is wrong with ``response`` for the operation; empty when it conforms."""
        where = f"{method} {template} -> {response.status_code}"
        operation = self.document["paths"][f"/api/v1{template}"][method.lower()]
        documented = operation["responses"].get(str(response.status_code))
        if documented is None:
            return [f"{where}: status not documented ({sorted(operation['responses'])})"]
        if "content" not in documented:
            return [] if not response.content else [f"{where}: a body where none is documented"]
        if not response.headers.get("content-type", "").startswith("application/json"):
            return [f"{where}: content type {response.headers.get('content-type')!r}"]
        schema = documented["content"]["application/json"]["schema"]
        if "$ref" in schema:
            schema = {"$ref": "urn:openapi" + schema["$ref"]}
        validator = jsonschema.Draft202012Validator(schema, registry=self.registry)
        return [
            f"{where}: {e.json_path}: {e.message}" for e in validator.iter_errors(response.json())
        ]
