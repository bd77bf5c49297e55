"""Why a delivery attempt failed, and whether trying again can help.

A sink makes one attempt per ``deliver`` call. The dispatcher retries any
exception with backoff; :class:`SinkError` lets it tell apart a failure that
time may cure (a receiver that is down, overloaded or slow) from one it will
not (the receiver refuses the request as it is), so a permanent failure is
dead-lettered at once instead of being retried ``HOOKGATE_MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import time
from datetime import UTC
from email.utils import parsedate_to_datetime

from hookgate.errors import HookgateError

#: 4xx answers that mean "not now" rather than "never": request timeout,
#: conflict (often a lock on the receiver's side), too early, too many requests.
RETRYABLE_CLIENT_STATUSES: frozenset[int] = frozenset({408, 409, 425, 429})


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


def is_retryable_status(status: int) -> bool:
    """Whether an HTTP error status may turn into a success if the run is sent again."""
    return status >= 500 or status in RETRYABLE_CLIENT_STATUSES


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    ``None`` when the header is absent or unreadable: a malformed hint must not
    turn a retryable failure into a crash. A date in the past means 0.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    seconds: float | None
    try:
        seconds = float(text)
    except ValueError:
        seconds = _seconds_until_http_date(text, time.time() if now is None else now)
    if seconds is None or seconds != seconds:  # NaN compares unequal to itself
        return None
    return max(0.0, seconds)


def _seconds_until_http_date(text: str, now: float) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return when.timestamp() - now


__all__ = [
    "RETRYABLE_CLIENT_STATUSES",
    "SinkError",
    "is_retryable_status",
    "parse_retry_after",
]
