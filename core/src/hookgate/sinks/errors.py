"""Why a delivery attempt failed, and whether trying again can help.

A sink makes one attempt per ``deliver`` call. The dispatcher retries any
exception with backoff; :class:`SinkError` lets it tell apart a failure that
time may cure (a receiver that is down, overloaded or slow) from one it will
not (the receiver refuses the request as it is), so a permanent failure is
dead-lettered at once instead of being retried ``HOOKGATE_MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

from hookgate.errors import HookgateError

# Re-exported: these lived here before they moved to the shared HTTP leaf module.
from hookgate.httputil import RETRYABLE_CLIENT_STATUSES, is_retryable_status, parse_retry_after


class SinkError(HookgateError):
    """One delivery attempt failed.

    :param retryable: ``True`` when the same delivery may succeed later
        (5xx, 408/409/425/429, timeouts, connection errors); ``False`` when the
        receiver refused it for good (other 4xx, a redirect, a payload that is
        not JSON), so retrying only delays the dead letter.
    :param retry_after: seconds the receiver asked to wait (``Retry-After``),
        or ``None``. A dispatcher should wait at least this long.
    :param status: the HTTP status when the receiver answered, else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


__all__ = [
    "RETRYABLE_CLIENT_STATUSES",
    "SinkError",
    "is_retryable_status",
    "parse_retry_after",
]
