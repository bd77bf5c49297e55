"""Whether a failure says the database cannot be reached, rather than that a request is wrong.

The admin API answers those ``503`` (retry later) instead of ``500``, and
dispatch leaves its batch to the lease instead of marking events failed.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError


def store_unavailable(exc: BaseException) -> bool:
    """True for a database that is down, unreachable, locked or timing out."""
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError):
        return True  # asyncpg raises OSError itself when it cannot connect
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


__all__ = ["store_unavailable"]
