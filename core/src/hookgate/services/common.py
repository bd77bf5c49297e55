"""Who is acting, and the errors services raise."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookgate.errors import HookgateError
from hookgate.store.models import AuditEntry, User, Workspace, new_id

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

DEFAULT_WORKSPACE = "default"
DEFAULT_ADMIN = "admin"


Role = Literal["admin", "member"]
ROLES: tuple[Role, ...] = ("admin", "member")


class ServiceError(HookgateError):
    """A request the service refuses.

    ``status`` is the HTTP status and ``code`` the machine-readable error code
    the admin API answers with; ``details`` is optional structured context
    (for example the line and column of a filter error). None of them may
    hold a secret value.
    """

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.details = details


class Invalid(ServiceError):
    """The request is well-formed but breaks a rule (an invalid filter, an unknown event type)."""

    status = 422
    code = "invalid"


class NotFound(ServiceError, LookupError):
    """No such object in the actor's workspace (also used for objects of other tenants)."""

    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """The object exists already (a source name taken in the workspace)."""

    status = 409
    code = "conflict"


class Forbidden(ServiceError):
    """The actor's role does not allow this."""

    status = 403
    code = "forbidden"


@dataclass(frozen=True, slots=True)
class Actor:
    """The user on whose behalf a service call runs."""

    workspace_id: str
    user_id: str
    role: Role
    name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def require_admin(self, action: str) -> None:
        if self.role != "admin":
            raise Forbidden(f"only workspace admins can {action}; ask an admin of your workspace")

    @classmethod
    def operator(cls, workspace_id: str) -> Actor:
        """Whoever runs the CLI on the server: an admin of any workspace, not a stored user.

        Audit entries name it ``cli:<login>`` so they are told apart from API callers.
        """
        try:
            login = getpass.getuser()
        except (KeyError, OSError):  # no login name in some containers
            login = "unknown"
        return cls(workspace_id, f"cli:{login}", "admin", f"cli:{login}")


async def ensure_user(session: AsyncSession, workspace: str, name: str, role: Role) -> Actor:
    """The user ``name`` of workspace ``workspace``, both created when new."""
    ws = await session.scalar(select(Workspace).where(Workspace.name == workspace))
    if ws is None:
        ws = Workspace(id=new_id("ws"), name=workspace)
        session.add(ws)
        await session.flush()
    user = await session.scalar(select(User).where(User.workspace_id == ws.id, User.name == name))
    if user is None:
        user = User(id=new_id("usr"), workspace_id=ws.id, name=name, role=role)
        session.add(user)
        await session.flush()
    return Actor(ws.id, user.id, "admin" if user.role == "admin" else "member", user.name)


async def default_actor(runtime: Runtime, user: str | None = None) -> Actor:
    """The local CLI's actor: workspace ``default``, user ``admin`` (or ``user``) as admin."""
    async with runtime.db.session() as session, session.begin():
        return await ensure_user(session, DEFAULT_WORKSPACE, user or DEFAULT_ADMIN, "admin")


def audit(session: AsyncSession, actor: Actor, action: str, target: str, **detail: Any) -> None:
    """Record an admin action; ``detail`` must never hold a secret value."""
    session.add(
        AuditEntry(
            id=new_id("aud"),
            workspace_id=actor.workspace_id,
            actor=actor.user_id,
            action=action,
            target=target,
            detail=detail,
        )
    )
