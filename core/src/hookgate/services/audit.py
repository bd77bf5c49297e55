"""Reading the audit log (entries are written by :func:`hookgate.services.common.audit`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hookgate.services.common import Actor
from hookgate.store.models import AuditEntry, User

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

MAX_LIMIT = 1000


@dataclass(frozen=True)
class AuditView:
    id: str
    at: datetime
    #: The user id (or ``cli:<login>`` for the server's operator).
    actor: str
    #: The user's name when the actor is a stored user.
    actor_name: str | None
    action: str
    target: str
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "at": self.at.isoformat()}


async def list_audit(
    runtime: Runtime,
    actor: Actor,
    *,
    action: str | None = None,
    target: str | None = None,
    limit: int = 100,
) -> list[AuditView]:
    """The workspace's audit entries, newest first; admins only."""
    actor.require_admin("read the audit log")
    query = (
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor)
        .where(AuditEntry.workspace_id == actor.workspace_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(min(max(limit, 1), MAX_LIMIT))
    )
    if action:
        # "source" matches every source.* action; "source.created" only that one.
        query = query.where(
            (AuditEntry.action == action) | AuditEntry.action.startswith(action + ".")
        )
    if target:
        query = query.where(AuditEntry.target == target)
    async with runtime.db.session() as session:
        rows = (await session.execute(query)).all()
    return [
        AuditView(e.id, e.at, e.actor, name, e.action, e.target, dict(e.detail or {}))
        for e, name in rows
    ]
