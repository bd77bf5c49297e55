"""``hookgate users``: workspaces and users (run on the server by its operator).

These commands bootstrap an installation: ``users create`` makes the workspace
when it is new, then ``hookgate keys create`` gives the user an API key.
They act as the operator (``cli:<login>`` in the audit log), not as a user.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from hookgate.cli._common import emit, json_option, table
from hookgate.errors import HookgateError
from hookgate.runtime import Runtime
from hookgate.services import identity
from hookgate.services.common import ROLES, Actor

T = TypeVar("T")

role_option = click.option(
    "--role", type=click.Choice(ROLES), required=True, help="admin: manages sources."
)


def as_operator(body: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run ``body`` with a started runtime; service errors become CLI errors."""

    async def main() -> T:
        async with Runtime() as runtime:
            return await body(runtime)

    try:
        return asyncio.run(main())
    except HookgateError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def users() -> None:
    """Workspaces and their users (admins and members)."""


@users.command("create")
@click.option("--workspace", required=True, help="Workspace name; created when new.")
@click.option("--name", required=True, help="User name, unique in the workspace.")
@role_option
@json_option
def create(workspace: str, name: str, role: str, as_json: bool) -> None:
    """Create a user (and the workspace when new); prints the user id."""
    view = as_operator(
        lambda rt: identity.create_user(rt, workspace=workspace, name=name, role=role)
    )
    emit(view.as_dict(), as_json, [f"id  {view.id}"])


@users.command("list")
@click.option("--workspace", default=None, help="Only this workspace.")
@json_option
def list_(workspace: str | None, as_json: bool) -> None:
    """List users with their workspace and role."""
    views = as_operator(lambda rt: identity.list_users(rt, workspace=workspace))
    emit(
        [v.as_dict() for v in views],
        as_json,
        table([[v.id, v.workspace, v.name, v.role] for v in views]),
    )


@users.command("set-role")
@click.argument("user")
@role_option
@click.option("--workspace", default=None, help="With a user name instead of an id.")
@json_option
def set_role(user: str, role: str, workspace: str | None, as_json: bool) -> None:
    """Make USER (an id, or a name with --workspace) an admin or a member."""

    async def body(rt: Runtime) -> identity.UserView:
        found = await identity.find_user(rt, user, workspace)
        return await identity.set_role(rt, Actor.operator(found.workspace_id), found.id, role)

    view = as_operator(body)
    emit(view.as_dict(), as_json, [f"{view.id}  {view.name}  {view.role}"])
