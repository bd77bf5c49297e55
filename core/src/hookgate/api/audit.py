"""``/api/v1/audit``: the workspace's audit log (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hookgate.api.models import Ident, LimitQuery, Output, Page
from hookgate.api.router import Call, Operation
from hookgate.services import audit as service


class AuditQuery(LimitQuery):
    action: Ident | None = Field(
        default=None, description="`source` matches every source.* action."
    )
    target: Ident | None = Field(default=None, description="Only entries about this object.")


class AuditOut(Output):
    id: str
    at: datetime
    actor: str = Field(description="User id, or `cli:<login>` for the server's operator.")
    actor_name: str | None
    action: str = Field(description="e.g. source.created, key.revoked, user.role_changed")
    target: str
    detail: dict[str, Any] = Field(description="What changed; never a secret value.")


async def list_audit(call: Call) -> BaseModel:
    query = call.query_as(AuditQuery)
    views = await service.list_audit(
        call.runtime, call.actor, action=query.action, target=query.target, limit=query.limit
    )
    return Page[AuditOut](items=[AuditOut.model_validate(vars(v)) for v in views])


OPERATIONS = [
    Operation(
        "GET",
        "/audit",
        list_audit,
        "Admin actions in the workspace, newest first",
        Page[AuditOut],
        query=AuditQuery,
        description="Admins only.",
        errors=(403,),
    ),
]
