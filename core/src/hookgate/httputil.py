"""HTTP answers shared by everything that calls out: sinks, the filter generator,
provider clients and provider plugins.

A leaf module (it imports nothing from hookgate), so any layer may use it:
which error statuses are worth another try, how long a ``Retry-After``
header asks to wait, and what a base URL setting must look like.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

#: 4xx answers that mean "not now" rather than "never": request timeout,
#: conflict (often a lock on the receiver's side), too early, too many requests.
RETRYABLE_CLIENT_STATUSES: frozenset[int] = frozenset({408, 409, 425, 429})


def is_retryable_status(status: int) -> bool:
    """Whether an HTTP error status may turn into a success if the request is sent again."""
    return status >= 500 or status in RETRYABLE_CLIENT_STATUSES


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    ``None`` when the header is absent or unreadable: a malformed hint must not
    turn a retryable failure into a crash. A date in the past means 0.
    ``now`` is a POSIX timestamp (tests pin it).
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


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """:func:`parse_retry_after` with ``now`` as a datetime (the provider clients' form)."""
    return parse_retry_after(value, now=None if now is None else now.timestamp())


def _seconds_until_http_date(text: str, now: float) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return when.timestamp() - now


def base_url(value: str) -> str:
    """``value`` as a base URL paths are appended to: absolute http(s), no trailing slash.

    :raises ValueError: saying what is wrong (a pydantic validator turns it into the
        setting's error).
    """
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return text.rstrip("/")  # paths are appended to it, so a trailing slash would double up


__all__ = [
    "RETRYABLE_CLIENT_STATUSES",
    "base_url",
    "is_retryable_status",
    "parse_retry_after",
    "retry_after",
]
