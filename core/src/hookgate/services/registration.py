"""When a source's webhooks are reconciled, and what each outcome leaves behind.

A built-in source (one with a connection and targets) shows its registration
as ``registration_status``: ``pending`` (not checked yet), ``active``,
``expiring`` (a hook expires within ``HOOKGATE_REGISTRATION_REFRESH_MARGIN``
and could not be refreshed), ``error`` (``registration_error`` says why, per
target) or ``needs_reauth`` (the connection's grant is gone), with
``reconciled_at`` as the last check. Reconciles run on create, on change, on
delete (unregister), on ``hookgate sources reconcile`` and on a schedule
(:func:`reconcile_due`, started by the dispatch worker).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import ValidationError
from sqlalchemy import delete, or_, select, update

from hookgate.errors import ProviderAPIError
from hookgate.oauth.errors import NeedsReauth
from hookgate.oauth.manager import oauth_for
from hookgate.registration.plan import expiring, targets_of
from hookgate.registration.reconcile import Outcome, Reconciler
from hookgate.services.common import Actor, Invalid, NotFound, audit
from hookgate.services.connections import NeedsAuthorization, active_connection, translate
from hookgate.services.issued_secrets import ISSUED_GRACE, adopt_issued, issued_by
from hookgate.store.models import OAuthConnection, RemoteHookRow, Source, new_id, utcnow
from hookgate.types import RemoteHook, Target

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.registration")

STATUSES = ("pending", "active", "expiring", "error", "needs_reauth")


def _hook_of(row: RemoteHookRow) -> RemoteHook:
    target = Target.model_validate(
        {**(row.target or {}), "type": row.target_type, "name": row.target_name}
    )
    return RemoteHook(
        remote_id=row.remote_id,
        target=target,
        url=row.url,
        events=tuple(row.events or ()),
        expires_at=row.expires_at,
    )


def _row_of(
    source_id: str, hook: RemoteHook, now: datetime, refreshed_at: datetime | None
) -> RemoteHookRow:
    return RemoteHookRow(
        id=new_id("rh"),
        source_id=source_id,
        target_type=hook.target.type,
        target_name=hook.target.name,
        target=hook.target.model_dump(mode="json"),
        remote_id=hook.remote_id,
        url=hook.url,
        events=list(hook.events),
        expires_at=hook.expires_at,
        checked_at=now,
        refreshed_at=refreshed_at,
    )


def status_of(outcome: Outcome, margin: timedelta) -> tuple[str, str | None]:
    """The registration status (and error text) an outcome leaves the source in."""
    if any(isinstance(e, NeedsReauth) or e.status == 401 for _, e in outcome.errors):
        return "needs_reauth", "; ".join(str(e) for _, e in outcome.errors[:1])
    if outcome.errors:
        return "error", "; ".join(f"{t.type} {t.name}: {e}" for t, e in outcome.errors)
    if any(expiring(h, utcnow(), margin) for h in outcome.hooks):
        return "expiring", "a webhook expires soon and could not be refreshed; it is retried"
    return "active", None


async def _source(runtime: Runtime, source_id: str) -> tuple[Source, list[RemoteHookRow]]:
    async with runtime.db.session() as session:
        row = await session.get(Source, source_id)
        if row is None:
            raise NotFound(f"no source {source_id!r}")
        hooks = list(
            await session.scalars(select(RemoteHookRow).where(RemoteHookRow.source_id == source_id))
        )
    return row, hooks


async def _connection_problem(runtime: Runtime, connection_id: str) -> str | None:
    async with runtime.db.session() as session:
        row = await session.get(OAuthConnection, connection_id)
    if row is None:
        return f"connection {connection_id} was deleted: give the source a new connection"
    if row.status != "active":
        why = row.status_reason or f"it is {row.status}"
        return (
            f"connection {row.id} needs authorization ({why}): "
            f"hookgate connections reauthorize {row.id}"
        )
    return None


def _reconciler(
    runtime: Runtime, source: Source, client: httpx.AsyncClient, known: set[str]
) -> Reconciler:
    settings = runtime.settings
    return Reconciler(
        runtime.plugins.provider(source.provider),
        client,
        runtime.sources.record(source).context(),
        known=known,
        margin=timedelta(seconds=settings.registration_refresh_margin),
        attempts=settings.provider_attempts,
        max_wait=settings.provider_max_retry_wait,
    )


async def reconcile(
    runtime: Runtime, source_id: str, *, force: bool = False, creating: bool = False
) -> Outcome | None:
    """Bring the source's remote hooks in line; ``None`` for a source without registration.

    ``creating``: stop at the first failure and delete the hooks this run
    created, recording nothing (the caller removes the new source).
    """
    lock = oauth_for(runtime).reconcile_locks.setdefault(source_id, asyncio.Lock())
    async with lock:
        source, rows = await _source(runtime, source_id)
        if source.connection_id is None:
            return None
        problem = await _connection_problem(runtime, source.connection_id)
        if problem is not None:
            if creating:
                raise NeedsAuthorization(problem)
            await _record_status(runtime, source_id, "needs_reauth", problem)
            return Outcome()
        outcome = await _run(runtime, source, rows, force=force, creating=creating)
        if not creating or not outcome.errors:
            # A target that failed keeps what was known of it: deleting it later still works.
            failed = {(t.type, t.name) for t, _ in outcome.errors}
            unknown = [_hook_of(r) for r in rows if (r.target_type, r.target_name) in failed]
            refreshed = {r.remote_id: r.refreshed_at for r in rows}
            await _record(runtime, source_id, outcome, unknown, refreshed)
        return outcome


async def _run(
    runtime: Runtime, source: Source, rows: list[RemoteHookRow], *, force: bool, creating: bool
) -> Outcome:
    assert source.connection_id is not None
    known = {r.remote_id for r in rows}
    async with oauth_for(runtime).client(source.connection_id) as client:
        reconciler = _reconciler(runtime, source, client, known)
        targets = targets_of(source.targets or [])
        unwanted = [_hook_of(r) for r in rows]
        outcome = await reconciler.run(targets, unwanted, force=force, stop_on_error=creating)
        if creating and outcome.errors:
            outcome.leftover = await reconciler.remove(outcome.created)
    return outcome


async def _record(
    runtime: Runtime,
    source_id: str,
    outcome: Outcome,
    unknown: list[RemoteHook],
    refreshed: dict[str, datetime | None],
) -> None:
    status, error = status_of(
        outcome, timedelta(seconds=runtime.settings.registration_refresh_margin)
    )
    now = utcnow()
    async with runtime.db.session() as session, session.begin():
        await session.execute(delete(RemoteHookRow).where(RemoteHookRow.source_id == source_id))
        seen: set[tuple[str, str, str]] = set()
        for hook in [*outcome.hooks, *outcome.leftover, *unknown]:
            ident = (hook.target.type, hook.target.name, hook.remote_id)
            if ident not in seen:
                seen.add(ident)
                was = now if hook.remote_id in outcome.refreshed else refreshed.get(hook.remote_id)
                session.add(_row_of(source_id, hook, now, was))
        await session.execute(
            update(Source)
            .where(Source.id == source_id)
            .values(registration_status=status, registration_error=error, reconciled_at=now)
        )
        if (issued := issued_by(outcome.hooks)) is not None:
            await _adopt(runtime, session, source_id, issued, first=not refreshed)
    runtime.sources.invalidate(source_id)


async def _adopt(
    runtime: Runtime, session: AsyncSession, source_id: str, issued: str, *, first: bool
) -> None:
    source = await session.get(Source, source_id)
    # A first registration replaces a secret nobody signs with: no grace for it.
    grace = timedelta(0) if first else ISSUED_GRACE
    if source is not None and adopt_issued(
        source, runtime.secret_box, issued, grace=grace, now=utcnow()
    ):
        log.info("source %s: stored the signing secret the provider issued", source_id)


async def _record_status(runtime: Runtime, source_id: str, status: str, error: str | None) -> None:
    async with runtime.db.session() as session, session.begin():
        await session.execute(
            update(Source)
            .where(Source.id == source_id)
            .values(registration_status=status, registration_error=error, reconciled_at=utcnow())
        )


async def webhooks_of(runtime: Runtime, source_id: str) -> list[dict[str, Any]]:
    """The source's remote hooks as an admin sees them: where, which id, expiry, last refresh."""
    async with runtime.db.session() as session:
        rows = await session.scalars(
            select(RemoteHookRow)
            .where(RemoteHookRow.source_id == source_id)
            .order_by(RemoteHookRow.target_type, RemoteHookRow.target_name)
        )
        return [
            {
                "target": f"{r.target_type}:{r.target_name}",
                "remote_id": r.remote_id,
                "expires_at": _iso(r.expires_at),
                "refreshed_at": _iso(r.refreshed_at),
                "checked_at": _iso(r.checked_at),
            }
            for r in rows
        ]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def register_new(runtime: Runtime, source_id: str) -> None:
    """Register a source just created; on failure undo what was created and raise.

    The caller deletes the local source when this raises.
    """
    outcome = await reconcile(runtime, source_id, creating=True)
    if outcome is None or not outcome.errors:
        return
    target, exc = outcome.errors[0]
    if outcome.leftover:
        left = ", ".join(f"{h.target.name}#{h.remote_id}" for h in outcome.leftover)
        log.error(
            "source %s: could not remove webhooks created before a failure: %s", source_id, left
        )
    raise translate(exc, f"cannot register a webhook on {target.type} {target.name}")


async def unregister(runtime: Runtime, source_id: str, *, force: bool = False) -> None:
    """Delete the source's remote hooks (already gone is fine); ``force`` ignores failures."""
    source, rows = await _source(runtime, source_id)
    if source.connection_id is None or not rows:
        return
    problem = await _connection_problem(runtime, source.connection_id)
    if problem is not None:
        if force:
            return
        raise NeedsAuthorization(
            f"{problem}; or delete the source with force to leave its webhooks behind"
        )
    async with oauth_for(runtime).client(source.connection_id) as client:
        reconciler = _reconciler(runtime, source, client, set())
        for hook in [_hook_of(r) for r in rows]:
            try:
                await reconciler.delete(hook)
            except ProviderAPIError as exc:
                if not force:
                    raise translate(
                        exc,
                        f"cannot delete webhook {hook.remote_id} on {hook.target.name} "
                        "(delete the source with force to leave it behind)",
                    ) from exc


async def check_new(
    runtime: Runtime,
    actor: Actor,
    provider: str,
    connection_id: str | None,
    targets: list[dict[str, Any]] | None,
) -> list[dict[str, Any]]:
    """Check a new source's connection and targets; the targets to store."""
    if connection_id is None:
        if targets:
            raise Invalid("targets need a connection_id: the connection registers the webhooks")
        return []
    if not targets:
        raise Invalid(
            "a source with a connection needs targets to register on: "
            "GET /api/v1/connections/{id}/account lists them"
        )
    try:
        connection = await active_connection(runtime, actor, connection_id)
    except NotFound as exc:
        raise Invalid(f"{exc}: GET /api/v1/connections lists them") from exc
    if connection.provider != provider:
        raise Invalid(
            f"connection {connection_id} is a {connection.provider} connection, not {provider}"
        )
    if not runtime.settings.public_url.startswith(("http://", "https://")):
        raise Invalid(
            "set HOOKGATE_PUBLIC_URL to hookgate's public address: the provider needs an "
            "absolute URL to deliver to"
        )
    return _stored(targets)


def check_targets(row: Source, targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if row.connection_id is None:
        raise Invalid("only a source with a connection has targets")
    if not targets:
        raise Invalid("a registered source needs at least one target; delete the source instead")
    return _stored(targets)


def _stored(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        return [t.model_dump(mode="json") for t in targets_of(targets)]
    except ValidationError as exc:
        raise Invalid(f"each target needs a type and a name: {exc.errors()[0]['msg']}") from exc


async def reconcile_now(runtime: Runtime, actor: Actor, source_id: str) -> Outcome | None:
    """``hookgate sources reconcile``: push the whole desired state now (admins)."""
    actor.require_admin("reconcile sources")
    source, _ = await _source(runtime, source_id)
    if source.workspace_id != actor.workspace_id:
        raise NotFound(f"no source {source_id!r} in this workspace")
    outcome = await reconcile(runtime, source_id, force=True)
    async with runtime.db.session() as session, session.begin():
        audit(session, actor, "source.reconciled", source_id)
    return outcome


async def reconcile_due(runtime: Runtime, *, limit: int = 100) -> int:
    """The scheduled check: every registered source not checked for ``reconcile_interval``.

    Each source is claimed with a compare-and-set on ``reconciled_at``, so
    several workers never check the same source at once. Returns how many ran.
    """
    now = utcnow()
    cutoff = now - timedelta(seconds=runtime.settings.reconcile_interval)
    async with runtime.db.session() as session:
        due = (
            await session.execute(
                select(Source.id, Source.reconciled_at)
                .where(
                    Source.connection_id.is_not(None),
                    or_(Source.reconciled_at.is_(None), Source.reconciled_at < cutoff),
                )
                .order_by(Source.reconciled_at)
                .limit(limit)
            )
        ).all()
    ran = 0
    for source_id, seen in due:
        if not await _claim(runtime, source_id, seen, now):
            continue
        try:
            await reconcile(runtime, source_id)
            ran += 1
        except Exception:
            log.exception("scheduled reconcile of source %s failed", source_id)
    return ran


async def _claim(runtime: Runtime, source_id: str, seen: datetime | None, now: datetime) -> bool:
    same = Source.reconciled_at.is_(None) if seen is None else Source.reconciled_at == seen
    async with runtime.db.session() as session, session.begin():
        result = await session.execute(
            update(Source).where(Source.id == source_id, same).values(reconciled_at=now)
        )
    return bool(getattr(result, "rowcount", 0))


#: For :mod:`hookgate.services.secret_rotation`, which works on the same rows.
hook_of = _hook_of
source_and_hooks = _source
connection_problem = _connection_problem

__all__ = [
    "STATUSES",
    "check_new",
    "check_targets",
    "connection_problem",
    "hook_of",
    "reconcile",
    "reconcile_due",
    "reconcile_now",
    "register_new",
    "source_and_hooks",
    "status_of",
    "unregister",
    "webhooks_of",
]
