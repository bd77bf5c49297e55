"""Tenants and identity: workspaces, users, API keys, and who is calling the admin API.

API keys are 256-bit random tokens shown once; only their sha256 is stored
(they are not passwords, so a fast unsalted hash looked up by equality is
enough). An embedding service can replace API keys altogether through the
``authenticate`` hook: the principal it returns is made a user of hookgate
on first sight, so triggers and audit entries can refer to it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hookgate.crypto import random_token
from hookgate.errors import AuthenticationError
from hookgate.services.common import ROLES, Actor, Conflict, Invalid, NotFound, Role, audit
from hookgate.store.models import ApiKey, User, Workspace, new_id, utcnow
from hookgate.types import Principal

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

KEY_PREFIX = "hgk_"
#: last_used_at is written at most this often per key: a write per request would
#: serialise every API call on one row.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class UserView:
    id: str
    workspace_id: str
    workspace: str
    name: str
    role: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "created_at": _iso(self.created_at)}


@dataclass(frozen=True)
class KeyView:
    """An API key as shown to people; ``key`` is set only when it is created."""

    id: str
    user_id: str
    workspace_id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "key" or v is not None}
        for name in ("created_at", "last_used_at", "revoked_at"):
            data[name] = _iso(data[name])
        return data


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _key_view(row: ApiKey, key: str | None = None) -> KeyView:
    return KeyView(
        row.id,
        row.user_id,
        row.workspace_id,
        row.name,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
        key,
    )


def _check_role(role: str) -> Role:
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return "admin" if role == "admin" else "member"


async def _workspace(session: AsyncSession, name: str, *, create: bool) -> Workspace:
    ws = await session.scalar(select(Workspace).where(Workspace.name == name))
    if ws is None and create:
        ws = Workspace(id=new_id("ws"), name=name)
        session.add(ws)
        await session.flush()
        audit(session, Actor.operator(ws.id), "workspace.created", ws.id, name=name)
    if ws is None:
        raise NotFound(f"no workspace named {name!r}")
    return ws


async def create_user(runtime: Runtime, *, workspace: str, name: str, role: str) -> UserView:
    """Create user ``name`` in ``workspace`` (created when new): the CLI's bootstrap step."""
    checked = _check_role(role)
    if not workspace.strip() or not name.strip():
        raise Invalid("a user needs a workspace name and a user name")
    try:
        async with runtime.db.session() as session, session.begin():
            ws = await _workspace(session, workspace.strip(), create=True)
            user = User(id=new_id("usr"), workspace_id=ws.id, name=name.strip(), role=checked)
            session.add(user)
            await session.flush()
            audit(session, Actor.operator(ws.id), "user.created", user.id, name=name, role=role)
    except IntegrityError:
        raise Conflict(f"workspace {workspace!r} already has a user named {name!r}") from None
    return UserView(user.id, ws.id, ws.name, user.name, user.role, user.created_at)


async def list_users(runtime: Runtime, *, workspace: str | None = None) -> list[UserView]:
    query = select(User, Workspace).join(Workspace, Workspace.id == User.workspace_id)
    if workspace:
        query = query.where(Workspace.name == workspace)
    async with runtime.db.session() as session:
        rows = (await session.execute(query.order_by(Workspace.name, User.name))).all()
    return [UserView(u.id, w.id, w.name, u.name, u.role, u.created_at) for u, w in rows]


async def find_workspace(runtime: Runtime, name: str) -> Workspace:
    """A workspace by name (or id)."""
    async with runtime.db.session() as session:
        ws = await session.scalar(
            select(Workspace).where((Workspace.name == name) | (Workspace.id == name))
        )
    if ws is None:
        raise NotFound(f"no workspace {name!r}: `hookgate users create --workspace` makes one")
    return ws


async def find_user(runtime: Runtime, user: str, workspace: str | None = None) -> User:
    """A user by id, or by name within ``workspace``."""
    async with runtime.db.session() as session:
        row = await session.get(User, user)
        if row is None and workspace:
            row = await session.scalar(
                select(User)
                .join(Workspace, Workspace.id == User.workspace_id)
                .where(Workspace.name == workspace, User.name == user)
            )
    if row is None:
        where = f" in workspace {workspace!r}" if workspace else " (give a user id, or --workspace)"
        raise NotFound(f"no user {user!r}{where}")
    return row


async def set_role(runtime: Runtime, actor: Actor, user_id: str, role: str) -> UserView:
    """Change a user's role; audited with the old and the new role."""
    actor.require_admin("change roles")
    checked = _check_role(role)
    async with runtime.db.session() as session, session.begin():
        user = await session.get(User, user_id)
        if user is None or user.workspace_id != actor.workspace_id:
            raise NotFound(f"no user {user_id!r} in this workspace")
        before, user.role = user.role, checked
        audit(session, actor, "user.role_changed", user.id, before=before, after=checked)
        ws = await session.get(Workspace, user.workspace_id)
        assert ws is not None  # users are deleted with their workspace
    return UserView(user.id, ws.id, ws.name, user.name, user.role, user.created_at)


async def create_key(runtime: Runtime, actor: Actor, user_id: str, *, name: str = "") -> KeyView:
    """A new API key for ``user_id``; the view carries the key, shown this once."""
    actor.require_admin("create API keys")
    key = KEY_PREFIX + random_token(32)
    async with runtime.db.session() as session, session.begin():
        user = await session.get(User, user_id)
        if user is None or user.workspace_id != actor.workspace_id:
            raise NotFound(f"no user {user_id!r} in this workspace")
        row = ApiKey(
            id=new_id("key"),
            workspace_id=user.workspace_id,
            user_id=user.id,
            name=name,
            key_hash=hash_key(key),
        )
        session.add(row)
        await session.flush()
        audit(session, actor, "key.created", row.id, user_id=user.id, name=name)
    return _key_view(row, key)


async def list_keys(runtime: Runtime, actor: Actor, *, user_id: str | None = None) -> list[KeyView]:
    actor.require_admin("list API keys")
    query = select(ApiKey).where(ApiKey.workspace_id == actor.workspace_id)
    if user_id:
        query = query.where(ApiKey.user_id == user_id)
    async with runtime.db.session() as session:
        return [_key_view(r) for r in await session.scalars(query.order_by(ApiKey.created_at))]


async def find_key(runtime: Runtime, key_id: str) -> ApiKey:
    async with runtime.db.session() as session:
        row = await session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id!r}")
    return row


async def revoke_key(runtime: Runtime, actor: Actor, key_id: str) -> KeyView:
    """Revoke a key at once; revoking a revoked key is a no-op (not audited twice)."""
    actor.require_admin("revoke API keys")
    async with runtime.db.session() as session, session.begin():
        row = await session.get(ApiKey, key_id)
        if row is None or row.workspace_id != actor.workspace_id:
            raise NotFound(f"no API key {key_id!r} in this workspace")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit(session, actor, "key.revoked", row.id, user_id=row.user_id)
    return _key_view(row)


async def authenticate_key(runtime: Runtime, key: str) -> Actor:
    """The actor an API key stands for; :class:`AuthenticationError` if none."""
    async with runtime.db.session() as session:
        found = (
            await session.execute(
                select(ApiKey, User)
                .join(User, User.id == ApiKey.user_id)
                .where(ApiKey.key_hash == hash_key(key))
            )
        ).first()
    if found is None:
        raise AuthenticationError("unknown API key: create one with `hookgate keys create`")
    row, user = found
    if row.revoked_at is not None:
        raise AuthenticationError("this API key was revoked: ask an admin for a new one")
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        async with runtime.db.session() as session, session.begin():
            await session.execute(
                update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now)
            )
    role: Role = "admin" if user.role == "admin" else "member"
    return Actor(user.workspace_id, user.id, role, user.name)


async def principal_actor(runtime: Runtime, principal: Principal) -> Actor:
    """The actor for a principal an ``authenticate`` hook returned.

    Its workspace and user are stored on first sight (triggers and runs refer
    to users); the role the hook reports is the truth and is kept up to date.
    """
    cache = _principals.setdefault(runtime, {})
    known = cache.get(principal)
    if known is not None:
        return known
    try:
        name = await _store_principal(runtime, principal)
    except IntegrityError:  # a concurrent first request stored it: read it back
        name = await _store_principal(runtime, principal)
    actor = Actor(principal.workspace_id, principal.user_id, principal.role, name)
    if len(cache) > 10_000:  # principals come from the embedding service; bound the memory
        cache.clear()
    cache[principal] = actor
    return actor


async def _store_principal(runtime: Runtime, principal: Principal) -> str:
    async with runtime.db.session() as session, session.begin():
        if await session.get(Workspace, principal.workspace_id) is None:
            session.add(Workspace(id=principal.workspace_id, name=principal.workspace_id))
            await session.flush()
        user = await session.get(User, principal.user_id)
        if user is None:
            user = User(
                id=principal.user_id,
                workspace_id=principal.workspace_id,
                name=principal.user_id,
                role=principal.role,
            )
            session.add(user)
        elif user.workspace_id != principal.workspace_id:
            raise AuthenticationError("the authenticated user belongs to another workspace")
        user.role = principal.role
        return user.name


#: Per runtime (several may live in one process): principals already stored.
_principals: WeakKeyDictionary[Runtime, dict[Principal, Actor]] = WeakKeyDictionary()
