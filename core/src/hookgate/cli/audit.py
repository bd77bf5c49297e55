"""``hookgate audit``: the audit log of a workspace."""

from __future__ import annotations

import click

from hookgate.cli._common import emit, json_option, table
from hookgate.cli.users import as_operator
from hookgate.runtime import Runtime
from hookgate.services import identity
from hookgate.services.audit import AuditView, list_audit
from hookgate.services.common import Actor


@click.group()
def audit() -> None:
    """Who did what: source changes, keys, roles, replays."""


@audit.command("list")
@click.option("--workspace", default="default", show_default=True)
@click.option("--action", default=None, help="e.g. source (every source.* action), key.revoked.")
@click.option("--target", default=None, help="Only entries about this object id.")
@click.option("--limit", default=100, show_default=True)
@json_option
def list_(
    workspace: str, action: str | None, target: str | None, limit: int, as_json: bool
) -> None:
    """List audit entries, newest first."""

    async def body(rt: Runtime) -> list[AuditView]:
        ws = await identity.find_workspace(rt, workspace)
        return await list_audit(
            rt, Actor.operator(ws.id), action=action, target=target, limit=limit
        )

    views = as_operator(body)
    emit(
        [v.as_dict() for v in views],
        as_json,
        table(
            [
                [
                    v.at.isoformat(timespec="seconds"),
                    v.actor_name or v.actor,
                    v.action,
                    v.target,
                    " ".join(f"{k}={val}" for k, val in v.detail.items()),
                ]
                for v in views
            ]
        ),
    )
