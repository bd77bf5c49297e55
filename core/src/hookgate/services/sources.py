"""Webhook sources: create, list, show, update, rotate the secret, delete.

A source of a provider that uses OAuth may be *registered*: created with a
``connection_id`` and ``targets``, its webhooks are created on the provider
(:mod:`hookgate.services.registration`), and creating it fails with nothing
left behind when they cannot be. Without a connection it is a manual source:
the admin configures the sender by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hookgate.crypto import random_token
from hookgate.errors import ProviderContractError
from hookgate.services import registration, secret_rotation
from hookgate.services.common import Actor, Conflict, Invalid, NotFound, ServiceError, audit
from hookgate.services.issued_secrets import rotated
from hookgate.services.signing_secrets import check_signing_secret
from hookgate.services.source_settings import resolve_settings
from hookgate.source_cache import StoredSecret, decode_secrets, encode_secrets
from hookgate.store.models import Source, new_id, utcnow
from hookgate.types import SourceContext

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.sources")

SCHEMA_POLICIES = ("record", "enforce")


#: The longest rotation grace: a forgotten old secret should not verify forever.
MAX_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class SourceView:
    """A source as shown to people. ``secret`` is set only at creation and rotation.

    ``url`` (it holds the URL secret) and ``secret_hint`` (the signing secret's
    last 4 characters) are ``None`` for members: only admins see secrets.
    """

    id: str
    name: str
    provider: str
    url: str | None
    events: list[str]
    config: dict[str, Any]
    schema_policy: str
    status: str
    verified_at: datetime | None
    created_at: datetime
    secret_hint: str | None
    secret: str | None = None
    #: Registered sources: the connection and targets, and the remote registration's state.
    connection_id: str | None = None
    targets: list[dict[str, Any]] = field(default_factory=list)
    registration_status: str | None = None
    registration_error: str | None = None
    reconciled_at: datetime | None = None
    #: The remote hooks: target, id, ``expires_at``, ``refreshed_at``, ``checked_at`` (ISO 8601).
    webhooks: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "secret" or v is not None}
        for key in ("verified_at", "created_at", "reconciled_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def _view(runtime: Runtime, actor: Actor, row: Source, secret: str | None = None) -> SourceView:
    url = hint = None
    if actor.is_admin:
        record = runtime.sources.record(row)
        url = record.url
        hint = "…" + (record.secrets[0].secret[-4:] if record.secrets else "")
    return SourceView(
        id=row.id,
        name=row.name,
        provider=row.provider,
        url=url,
        events=list(row.events or []),
        config=dict(row.config or {}),
        schema_policy=row.schema_policy,
        status=row.status,
        verified_at=row.verified_at,
        created_at=row.created_at,
        secret_hint=hint,
        secret=secret,
        connection_id=row.connection_id,
        targets=[dict(t) for t in row.targets or []],
        registration_status=row.registration_status,
        registration_error=row.registration_error,
        reconciled_at=row.reconciled_at,
    )


def generated_secret(runtime: Runtime, source: SourceContext) -> str:
    """A new signing secret: the provider's form if it has one (``new_secret``), else random."""
    offered = runtime.plugins.provider(source.provider).new_secret(source)
    if offered is not None and len(offered) < 32:
        raise ProviderContractError(
            f"provider {source.provider!r}: new_secret() returned fewer than 32 characters"
        )
    return offered or random_token(32)


def _check_events(runtime: Runtime, provider: str, events: list[str]) -> None:
    known = runtime.plugins.schemas(provider)
    unknown = [e for e in events if known and e not in known]
    if unknown:
        raise Invalid(
            f"unknown event types for {provider}: {unknown}; known: {', '.join(sorted(known))}"
        )


async def create_source(
    runtime: Runtime,
    actor: Actor,
    *,
    provider: str,
    name: str,
    config: Mapping[str, Any] | None = None,
    assignments: Sequence[str] = (),
    secret: str | None = None,
    events: list[str] | None = None,
    schema_policy: str = "record",
    connection_id: str | None = None,
    targets: list[dict[str, Any]] | None = None,
    keep_on_error: bool = False,
) -> SourceView:
    """Create a source; the view carries the signing secret, shown this once.

    With ``connection_id`` and ``targets`` the source is registered on the
    provider before this returns. If that fails, the hooks created so far are
    deleted and the source is not kept (the provider's error is raised), unless
    ``keep_on_error``: then it is kept with ``registration_status`` ``error``.

    The provider settings are ``config`` and the ``KEY=VALUE`` texts of
    ``assignments`` (the CLI's ``--set``), merged and validated by
    :func:`~hookgate.services.source_settings.resolve_settings`.
    """
    actor.require_admin("create sources")
    wanted = await registration.check_new(runtime, actor, provider, connection_id, targets)
    if not name.strip():
        raise Invalid("a source needs a name")
    if schema_policy not in SCHEMA_POLICIES:
        raise Invalid(f"schema_policy must be one of {', '.join(SCHEMA_POLICIES)}")
    settings = resolve_settings(runtime, provider, config=config, assignments=assignments)
    _check_events(runtime, provider, events or [])
    source_id = new_id("src")
    signing_secret = secret or generated_secret(
        runtime,
        SourceContext(source_id, provider, name.strip(), "", (), settings, tuple(events or ())),
    )
    check_signing_secret(runtime, provider, settings, signing_secret)
    box = runtime.secret_box
    row = Source(
        id=source_id,
        workspace_id=actor.workspace_id,
        provider=provider,
        name=name.strip(),
        url_secret_enc=box.encrypt(random_token(24)),
        secrets_enc=box.encrypt(encode_secrets([StoredSecret(signing_secret)])),
        config=settings,
        events=list(events or []),
        schema_policy=schema_policy,
        created_by=actor.user_id,
        connection_id=connection_id,
        targets=wanted,
        registration_status="pending" if connection_id else None,
        # Not due for the scheduled check while this call registers it.
        reconciled_at=utcnow() if connection_id else None,
    )
    try:
        async with runtime.db.session() as session, session.begin():
            session.add(row)
            await session.flush()
            audit(session, actor, "source.created", row.id, provider=provider, name=row.name)
    except IntegrityError:
        raise Conflict(f"a source named {name!r} exists in this workspace") from None
    runtime.sources.invalidate(row.id)  # a miss cached for this id must not outlive it
    if connection_id:
        row = await _register(runtime, actor, row, keep_on_error)
        # The provider may have issued the webhook's secret itself: show the one stored.
        current = decode_secrets(box.decrypt(row.secrets_enc))[0].secret
        return await _registered_view(runtime, actor, row, secret=current)
    return _view(runtime, actor, row, secret=signing_secret)


async def _registered_view(
    runtime: Runtime, actor: Actor, row: Source, secret: str | None = None
) -> SourceView:
    view = _view(runtime, actor, row, secret=secret)
    if row.connection_id is None:
        return view
    return replace(view, webhooks=await registration.webhooks_of(runtime, row.id))


async def _register(runtime: Runtime, actor: Actor, row: Source, keep_on_error: bool) -> Source:
    """Register a new source; remove it (or keep it as ``error``) when that fails."""
    try:
        if keep_on_error:
            await registration.reconcile(runtime, row.id)
        else:
            await registration.register_new(runtime, row.id)
    except BaseException:
        await _discard(runtime, actor, row.id)
        raise
    return await _get(runtime, actor, row.id)


async def _discard(runtime: Runtime, actor: Actor, source_id: str) -> None:
    async with runtime.db.session() as session, session.begin():
        row = await session.get(Source, source_id)
        if row is not None:
            await session.delete(row)
        audit(session, actor, "source.discarded", source_id, reason="registration failed")
    runtime.sources.invalidate(source_id)


async def _get(runtime: Runtime, actor: Actor, source_id: str) -> Source:
    async with runtime.db.session() as session:
        row = await session.scalar(
            select(Source).where(Source.id == source_id, Source.workspace_id == actor.workspace_id)
        )
    if row is None:
        raise NotFound(f"no source {source_id!r} in this workspace")
    return row


async def get_source(runtime: Runtime, actor: Actor, source_id: str) -> SourceView:
    return await _registered_view(runtime, actor, await _get(runtime, actor, source_id))


async def list_sources(runtime: Runtime, actor: Actor) -> list[SourceView]:
    async with runtime.db.session() as session:
        rows = await session.scalars(
            select(Source).where(Source.workspace_id == actor.workspace_id).order_by(Source.name)
        )
        return [_view(runtime, actor, row) for row in rows]


async def update_source(
    runtime: Runtime,
    actor: Actor,
    source_id: str,
    *,
    name: str | None = None,
    events: list[str] | None = None,
    schema_policy: str | None = None,
    targets: list[dict[str, Any]] | None = None,
    config: Mapping[str, Any] | None = None,
    assignments: Sequence[str] = (),
) -> SourceView:
    """Change a source; a registered source whose events, targets or settings change is
    reconciled.

    ``config`` and ``assignments`` change the provider settings with the merge rule of
    :func:`~hookgate.services.source_settings.resolve_settings`: given keys replace the
    stored ones, ``None`` removes one (its default applies again), the rest stay.

    A reconcile that fails leaves the change made and shows why in
    ``registration_status`` / ``registration_error`` (the scheduled check retries).
    """
    actor.require_admin("change sources")
    if name is not None and not name.strip():
        raise Invalid("a source needs a name")
    if schema_policy is not None and schema_policy not in SCHEMA_POLICIES:
        raise Invalid(f"schema_policy must be one of {', '.join(SCHEMA_POLICIES)}")
    try:
        async with runtime.db.session() as session, session.begin():
            row = await session.get(Source, source_id)
            if row is None or row.workspace_id != actor.workspace_id:
                raise NotFound(f"no source {source_id!r} in this workspace")
            changed = _registration_changes(row, events, targets)
            changed = _change_settings(runtime, row, config, assignments) or changed
            if events is not None:
                _check_events(runtime, row.provider, events)
                row.events = list(events)
            if targets is not None:
                row.targets = registration.check_targets(row, targets)
            row.name = name.strip() if name is not None else row.name
            row.schema_policy = schema_policy or row.schema_policy
            await session.flush()
            audit(
                session, actor, "source.updated", row.id,
                name=row.name, events=row.events, settings=_keys(config, assignments),
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(f"a source named {name!r} exists in this workspace") from None
    runtime.sources.invalidate(source_id)
    if changed:
        await _reconcile_after_change(runtime, source_id)
        row = await _get(runtime, actor, source_id)
    return await _registered_view(runtime, actor, row)


def _change_settings(
    runtime: Runtime, row: Source, config: Mapping[str, Any] | None, assignments: Sequence[str]
) -> bool:
    """Apply a settings change to ``row``; whether its registration must follow."""
    if not config and not assignments:
        return False
    current = dict(row.config or {})
    row.config = resolve_settings(
        runtime, row.provider, current=current, config=config, assignments=assignments
    )
    return row.connection_id is not None and row.config != current


def _keys(config: Mapping[str, Any] | None, assignments: Sequence[str]) -> list[str]:
    """The settings a change names (for the audit log: names only, never values)."""
    return sorted({*(config or {}), *(a.partition("=")[0].strip() for a in assignments)})


def _registration_changes(
    row: Source, events: list[str] | None, targets: list[dict[str, Any]] | None
) -> bool:
    if row.connection_id is None:
        return False
    new_events = events is not None and set(events) != set(row.events or [])
    return new_events or targets is not None


async def _reconcile_after_change(runtime: Runtime, source_id: str) -> None:
    """Push a change to the provider; a failure is recorded on the source, not raised."""
    try:
        await registration.reconcile(runtime, source_id, force=True)
    except ServiceError as exc:  # e.g. the connection needs authorization: already recorded
        log.info("source %s changed; its registration is not up to date: %s", source_id, exc)


async def rotate_secret(
    runtime: Runtime, actor: Actor, source_id: str, *, grace: timedelta = timedelta(hours=24)
) -> SourceView:
    """New signing secret; the previous one keeps verifying for ``grace``.

    Older secrets still inside an earlier grace period keep their own expiry,
    so two quick rotations do not cut off deliveries signed with the first.
    ``grace`` 0 (a leaked secret) stops every previous secret at once.
    """
    actor.require_admin("rotate source secrets")
    if grace < timedelta(0) or grace > MAX_GRACE:
        raise Invalid(f"grace must be between 0 and {MAX_GRACE.days * 24} hours")
    now = utcnow()
    row = await _get(runtime, actor, source_id)
    if row.connection_id is not None and secret_rotation.provider_issues(runtime, row.provider):
        issued = await secret_rotation.rotate_issued(runtime, source_id, grace=grace)
        async with runtime.db.session() as session, session.begin():
            audit(
                session, actor, "source.secret_rotated", row.id, grace_seconds=grace.total_seconds()
            )
        return _view(runtime, actor, await _get(runtime, actor, source_id), secret=issued)
    async with runtime.db.session() as session, session.begin():
        found = await session.get(Source, source_id)
        if found is None or found.workspace_id != actor.workspace_id:
            raise NotFound(f"no source {source_id!r} in this workspace")
        row = found
        new_secret = generated_secret(
            runtime,
            SourceContext(row.id, row.provider, row.name, "", (), row.config, tuple(row.events)),
        )
        check_signing_secret(runtime, row.provider, row.config, new_secret)
        box = runtime.secret_box
        stored = decode_secrets(box.decrypt(row.secrets_enc))
        row.secrets_enc = box.encrypt(
            encode_secrets(rotated(stored, new_secret, grace=grace, now=now))
        )
        audit(session, actor, "source.secret_rotated", row.id, grace_seconds=grace.total_seconds())
    runtime.sources.invalidate(source_id)
    if row.connection_id is not None:  # the provider signs with the new secret from now on
        await _reconcile_after_change(runtime, source_id)
        row = await _get(runtime, actor, source_id)
    return _view(runtime, actor, row, secret=new_secret)


async def delete_source(
    runtime: Runtime, actor: Actor, source_id: str, *, force: bool = False
) -> None:
    """Delete a source; a registered one's webhooks are deleted on the provider first.

    A webhook already gone is fine. When the provider cannot delete them (it
    is down, the grant is revoked) nothing is deleted, unless ``force``: then
    the source goes and its webhooks are left behind.
    """
    actor.require_admin("delete sources")
    await _get(runtime, actor, source_id)
    await registration.unregister(runtime, source_id, force=force)
    async with runtime.db.session() as session, session.begin():
        row = await session.get(Source, source_id)
        if row is None or row.workspace_id != actor.workspace_id:
            raise NotFound(f"no source {source_id!r} in this workspace")
        await session.delete(row)
        audit(session, actor, "source.deleted", source_id, name=row.name)
    runtime.sources.invalidate(source_id)
