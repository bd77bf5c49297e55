"""Token sets of connections: stored encrypted, refreshed once at a time.

A refresh is serialised twice over. In one process, a lock per connection
makes concurrent callers wait for the refresh in flight and reuse its result.
Across processes, the refresher first claims a lease with a compare-and-set
on ``token_version`` (``UPDATE ... WHERE token_version = seen AND no live
lease``); the others see the lease, wait for ``token_version`` to move and
read the new token. No database lock is held while the provider answers, so
ingest on SQLite never waits for a token endpoint. A refresher that crashes
leaves a lease that runs out. This matters because providers that rotate
refresh tokens (some providers rotate them) accept each one once: two refreshes with the same
refresh token would end the grant.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, update

from hookgate.errors import ProviderAPIError
from hookgate.oauth.errors import NeedsReauth
from hookgate.store.models import OAuthConnection, Source, utcnow
from hookgate.types import OAuthToken

if TYPE_CHECKING:
    from hookgate.oauth.manager import OAuthManager
    from hookgate.store.database import Database

log = logging.getLogger("hookgate.oauth")

#: Refresh this long before the access token expires, so no request carries a dying token.
REFRESH_EARLY = timedelta(seconds=60)
#: How often a process waiting for another one's refresh looks at the result.
POLL = 0.1


class TokenStore:
    """Reads, refreshes and retires the token sets of one runtime's connections."""

    def __init__(self, manager: OAuthManager) -> None:
        self.manager = manager
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def _db(self) -> Database:
        return self.manager.runtime.db

    def encode(self, token: OAuthToken) -> str:
        return self.manager.runtime.secret_box.encrypt(token.model_dump_json())

    def decode(self, row: OAuthConnection) -> OAuthToken:
        if row.token_enc is None:
            raise NeedsReauth("the connection has no token yet: finish its authorization", row.id)
        return OAuthToken.model_validate_json(
            self.manager.runtime.secret_box.decrypt(row.token_enc)
        )

    async def _load(self, connection_id: str) -> OAuthConnection:
        async with self._db.session() as session:
            row = await session.get(OAuthConnection, connection_id)
        if row is None:
            raise NeedsReauth(f"connection {connection_id} no longer exists: connect again")
        if row.status != "active":
            reason = row.status_reason or f"the connection is {row.status}"
            raise NeedsReauth(f"connection {connection_id} needs authorization: {reason}", row.id)
        return row

    async def current(self, connection_id: str) -> tuple[OAuthToken, int]:
        """A usable token and its version; refreshed first when it is about to expire."""
        row = await self._load(connection_id)
        token = self.decode(row)
        if token.expires_at is not None and token.expires_at - utcnow() < REFRESH_EARLY:
            return await self.refresh(connection_id, row.token_version)
        return token, row.token_version

    async def refresh(self, connection_id: str, seen_version: int) -> tuple[OAuthToken, int]:
        """Replace the token of version ``seen_version``, unless someone already did."""
        lock = self._locks.setdefault(connection_id, asyncio.Lock())
        async with lock:
            row = await self._wait_for_turn(connection_id, seen_version)
            if row.token_version != seen_version:
                return self.decode(row), row.token_version
            try:
                new = await self.manager.refresh_grant(row.provider, self.decode(row), row.params)
            except NeedsReauth as exc:
                await self.mark_needs_reauth(connection_id, str(exc))
                raise NeedsReauth(str(exc), connection_id) from None
            except BaseException:
                await self._release(connection_id, seen_version)
                raise
            await self._store(connection_id, seen_version, new)
            log.info("refreshed the token of connection %s", connection_id)
            return new, seen_version + 1

    async def _wait_for_turn(self, connection_id: str, seen: int) -> OAuthConnection:
        """The row once the token moved past ``seen`` or this process holds the lease."""
        lease = self.manager.refresh_lease
        deadline = asyncio.get_running_loop().time() + 2 * lease.total_seconds()
        while True:
            row = await self._load(connection_id)
            if row.token_version != seen or await self._claim(connection_id, seen, lease):
                return row
            if asyncio.get_running_loop().time() > deadline:
                raise ProviderAPIError(
                    f"connection {connection_id}: another hookgate process has been refreshing "
                    "the token for too long; try again",
                    retryable=True,
                )
            await asyncio.sleep(POLL)

    async def _claim(self, connection_id: str, seen: int, lease: timedelta) -> bool:
        now = utcnow()
        async with self._db.session() as session, session.begin():
            result = await session.execute(
                update(OAuthConnection)
                .where(
                    OAuthConnection.id == connection_id,
                    OAuthConnection.token_version == seen,
                    or_(
                        OAuthConnection.refresh_lease_until.is_(None),
                        OAuthConnection.refresh_lease_until < now,
                    ),
                )
                .values(refresh_lease_until=now + lease)
            )
        return bool(getattr(result, "rowcount", 0))

    async def _release(self, connection_id: str, seen: int) -> None:
        async with self._db.session() as session, session.begin():
            await session.execute(
                update(OAuthConnection)
                .where(OAuthConnection.id == connection_id, OAuthConnection.token_version == seen)
                .values(refresh_lease_until=None)
            )

    async def _store(self, connection_id: str, seen: int, token: OAuthToken) -> None:
        async with self._db.session() as session, session.begin():
            await session.execute(
                update(OAuthConnection)
                .where(OAuthConnection.id == connection_id, OAuthConnection.token_version == seen)
                .values(
                    token_enc=self.encode(token),
                    expires_at=token.expires_at,
                    token_version=seen + 1,
                    refresh_lease_until=None,
                    updated_at=utcnow(),
                )
            )

    async def mark_needs_reauth(self, connection_id: str, reason: str) -> None:
        """The grant is gone: say so on the connection and on every source that uses it."""
        async with self._db.session() as session, session.begin():
            await session.execute(
                update(OAuthConnection)
                .where(OAuthConnection.id == connection_id)
                .values(status="needs_reauth", status_reason=reason, refresh_lease_until=None)
            )
            await session.execute(
                update(Source)
                .where(Source.connection_id == connection_id)
                .values(registration_status="needs_reauth", registration_error=reason)
            )
        log.warning("connection %s needs authorization again: %s", connection_id, reason)


__all__ = ["REFRESH_EARLY", "TokenStore"]
