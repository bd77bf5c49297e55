"""The tables. Alembic owns the schema (``hookgate/store/migrations``); these
models are what the code reads and writes, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_BASE32_PAIRS = [a + b for a in _BASE32 for b in _BASE32]


def new_id(prefix: str) -> str:
    """A time-ordered id: 48 bits of milliseconds then 80 random bits, base32 (RFC 4648,
    lowercase, unpadded: 26 characters).

    Ids name things, they grant nothing (secrets come from :mod:`secrets`), so
    the random bits come from the ``random`` module: reseeded from the
    operating system at import and after ``fork``, and about 30 times cheaper
    on the ingest path than ``os.urandom``, which also gives up the GIL.
    """
    n = ((int(time.time() * 1000) << 80) | random.getrandbits(80)) << 2
    return prefix + "_" + "".join([_BASE32_PAIRS[(n >> s) & 1023] for s in range(120, -1, -10)])


def utcnow() -> datetime:
    return datetime.now(UTC)


def naive_utc(value: datetime) -> datetime:
    """How hookgate stores an aware time: in UTC, without the zone (SQLite has none)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: hookgate stores aware UTC times only")
    return value.astimezone(UTC).replace(tzinfo=None)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else naive_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    #: Encrypted: the secret path segment of the receiving URL.
    url_secret_enc: Mapped[str] = mapped_column(Text)
    #: Encrypted JSON list of {"secret", "expires_at"}: current first, then ones in grace.
    secrets_enc: Mapped[str] = mapped_column(Text)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Subscribed event types; empty means all.
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    schema_policy: Mapped[str] = mapped_column(String(10), default="record")
    status: Mapped[str] = mapped_column(String(40), default="active")
    verified_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Built-in providers: the OAuth connection and the targets hooks are registered on.
    connection_id: Mapped[str | None] = mapped_column(
        ForeignKey("oauth_connections.id", ondelete="SET NULL"), default=None
    )
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: pending, active, expiring, error, needs_reauth (remote registration state)
    registration_status: Mapped[str | None] = mapped_column(String(40), default=None)
    registration_error: Mapped[str | None] = mapped_column(Text, default=None)
    reconciled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Trigger(Base):
    __tablename__ = "triggers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str | None] = mapped_column(String(200), default=None)
    filter: Mapped[str | None] = mapped_column(Text, default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    include_payload: Mapped[bool] = mapped_column(Boolean, default=True)
    #: enabled, disabled or invalid_filter
    status: Mapped[str] = mapped_column(String(20), default="enabled")
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    #: Runs per sliding 24 hours; None means unlimited.
    runs_per_day: Mapped[int | None] = mapped_column(Integer, default=None)
    matched_count: Mapped[int] = mapped_column(Integer, default=0)
    last_matched_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("source_id", "dedup_key"),
        Index("ix_events_status_received_at", "status", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    #: The provider's delivery id, or "sha256:<body hash>:<window>" without one.
    dedup_key: Mapped[str] = mapped_column(String(300))
    delivery_id: Mapped[str | None] = mapped_column(String(300), default=None)
    event_type: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    content_type: Mapped[str] = mapped_column(String(200), default="application/json")
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: pending, processing, done, malformed, ignored, unsubscribed, schema_invalid, handshake,
    #: failed (dispatch raised on it: ``detail`` says why)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    schema_errors: Mapped[list[str] | None] = mapped_column(JSONType, default=None)
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Incremented by each replay; runs of a replay carry it, so they are new runs.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)


#: The ``events`` columns an ingest row sets, in the order both writers bind them.
EVENT_COLUMNS = (
    "id",
    "source_id",
    "dedup_key",
    "delivery_id",
    "event_type",
    "body",
    "headers",
    "content_type",
    "received_at",
    "status",
    "detail",
    "unverified",
    "generation",
)


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        UniqueConstraint("event_id", "trigger_id", "generation"),
        Index("ix_runs_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_runs_trigger_id_created_at", "trigger_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    trigger_id: Mapped[str] = mapped_column(ForeignKey("triggers.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(String(40), index=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    include_payload: Mapped[bool] = mapped_column(Boolean, default=True)
    #: pending, delivering, delivered, retrying, dead, rate_limited
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    conversation_id: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiKey(Base):
    """An admin-API key: only its hash is stored; the key is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: sha256 of the whole key, hex; looked up by equality, so keys need no salt
    #: (they are 256-bit random, not passwords).
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class SourceSchema(Base):
    """An event schema an admin attached to a source (custom sources)."""

    __tablename__ = "source_schemas"
    __table_args__ = (UniqueConstraint("source_id", "event_type"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    json_schema: Mapped[dict[str, Any]] = mapped_column(JSONType)
    sample: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    #: "attached" by an admin or "inferred" from stored events
    origin: Mapped[str] = mapped_column(String(20), default="attached")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OAuthConnection(Base):
    """A workspace's OAuth grant on a provider; the token set is stored encrypted."""

    __tablename__ = "oauth_connections"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(64))
    #: pending, active, needs_reauth
    status: Mapped[str] = mapped_column(String(20), default="pending")
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    account_id: Mapped[str | None] = mapped_column(String(200), default=None)
    account_name: Mapped[str | None] = mapped_column(String(200), default=None)
    token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Bumped on every token refresh; refreshes compare-and-set on it.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    #: Set while one process refreshes the token, so no other refreshes it at the same time
    #: (a rotated refresh token works once); a crashed refresher's lease runs out.
    refresh_lease_until: Mapped[datetime | None] = mapped_column(default=None)
    #: What the admin gave when creating it (the provider's ``connection_model``), which
    #: the provider builds its OAuth endpoints from (an account's own host).
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OAuthState(Base):
    """A pending authorization: single use, bound to user and workspace, short-lived."""

    __tablename__ = "oauth_states"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_connections.id", ondelete="CASCADE")
    )
    workspace_id: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(40))
    code_verifier_enc: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[datetime] = mapped_column()
    #: When the provider's callback came back (the code was exchanged).
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    #: SHA-256 of the browser cookie set by ``/oauth/{provider}/start``.
    browser_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    #: The exchanged token set (encrypted) and the account it reached, until confirmed.
    token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    account: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)


class RemoteHookRow(Base):
    """A webhook hookgate registered (or adopted) on a provider for a source."""

    __tablename__ = "remote_hooks"
    __table_args__ = (UniqueConstraint("source_id", "target_type", "target_name", "remote_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(64))
    target_name: Mapped[str] = mapped_column(String(300))
    #: The whole target as the provider described it (extra fields such as a site id).
    target: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    remote_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)
    #: When hookgate last extended its expiry (``refresh_webhook``); ``None``: never.
    refreshed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(40), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "Event",
    "OAuthConnection",
    "OAuthState",
    "RemoteHookRow",
    "Run",
    "Source",
    "SourceSchema",
    "Trigger",
    "User",
    "Workspace",
    "new_id",
    "utcnow",
]
