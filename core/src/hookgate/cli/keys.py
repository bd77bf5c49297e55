"""``hookgate keys``: API keys of the admin API (shown once, stored hashed)."""

from __future__ import annotations

import click

from hookgate.cli._common import emit, json_option, table
from hookgate.cli.users import as_operator
from hookgate.runtime import Runtime
from hookgate.services import identity
from hookgate.services.common import Actor
from hookgate.services.identity import KeyView


@click.group()
def keys() -> None:
    """API keys: create, list, revoke."""


@keys.command("create")
@click.option("--user", "user", required=True, help="User id (or name, with --workspace).")
@click.option("--workspace", default=None, help="The user's workspace, with a user name.")
@click.option("--name", default="", help="A label for the key (where it is used).")
@json_option
def create(user: str, workspace: str | None, name: str, as_json: bool) -> None:
    """Create a key for a user; prints its id and the key, shown this once."""

    async def body(rt: Runtime) -> KeyView:
        found = await identity.find_user(rt, user, workspace)
        return await identity.create_key(
            rt, Actor.operator(found.workspace_id), found.id, name=name
        )

    view = as_operator(body)
    emit(
        view.as_dict(),
        as_json,
        [
            f"id   {view.id}",
            f"key  {view.key}",
            "The key is shown this once: store it now (send it as `Authorization: Bearer <key>`).",
        ],
    )


@keys.command("list")
@click.option("--workspace", default="default", show_default=True)
@click.option("--user", "user", default=None, help="Only this user's keys (id or name).")
@json_option
def list_(workspace: str, user: str | None, as_json: bool) -> None:
    """List a workspace's keys (never the keys themselves)."""

    async def body(rt: Runtime) -> list[KeyView]:
        ws = await identity.find_workspace(rt, workspace)
        user_id = (await identity.find_user(rt, user, ws.name)).id if user else None
        return await identity.list_keys(rt, Actor.operator(ws.id), user_id=user_id)

    views = as_operator(body)
    emit(
        [v.as_dict() for v in views],
        as_json,
        table(
            [
                [
                    v.id,
                    v.user_id,
                    v.name or "-",
                    "revoked" if v.revoked_at else "active",
                    f"last used {v.last_used_at:%Y-%m-%d %H:%M}"
                    if v.last_used_at
                    else "never used",
                ]
                for v in views
            ]
        ),
    )


def _used(view: KeyView) -> str:
    return f"last used {view.last_used_at:%Y-%m-%d %H:%M}" if view.last_used_at else "never used"


@keys.command("revoke")
@click.argument("key_id")
@json_option
def revoke(key_id: str, as_json: bool) -> None:
    """Revoke a key at once."""

    async def body(rt: Runtime) -> KeyView:
        key = await identity.find_key(rt, key_id)
        return await identity.revoke_key(rt, Actor.operator(key.workspace_id), key.id)

    view = as_operator(body)
    emit(view.as_dict(), as_json, [f"revoked {view.id}"])
