"""What gets signed: the ``signed_content`` template and the timestamp rules.

A template such as ``v0:{timestamp}:{body}`` is literal text with three
placeholders. The message is assembled from raw bytes: the body exactly as
received and the timestamp and id exactly as they appear in their headers,
because re-formatting either would sign something the sender did not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache

PLACEHOLDERS: tuple[str, ...] = ("body", "timestamp", "id")
BODY_ONLY = "{body}"

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# ASCII only: int() and float() also accept other scripts' digits and underscores.
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}(\.[0-9]{1,9})?", re.ASCII)


class TemplateError(ValueError):
    """A ``signed_content`` template that cannot be used; the message says how to fix it."""


@lru_cache(maxsize=256)
def parse_template(template: str) -> tuple[str, ...]:
    """Split a template into literal text (even indexes) and placeholder names (odd).

    Raises :class:`TemplateError` for unknown placeholders, stray braces, or
    a template that does not contain ``{body}`` exactly once.
    """
    parts = tuple(_PLACEHOLDER.split(template))
    literals, names = parts[0::2], parts[1::2]
    for name in names:
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise TemplateError(f"unknown placeholder {{{name}}} in signed_content: use {known}")
    if any("{" in text or "}" in text for text in literals):
        raise TemplateError(f"signed_content {template!r} has an unmatched brace")
    if names.count("body") != 1:
        raise TemplateError(
            f"signed_content {template!r} must contain {{body}} exactly once, "
            "so that the signature covers the body"
        )
    return parts


def placeholders(template: str) -> frozenset[str]:
    return frozenset(parse_template(template)[1::2])


def build_message(template: str, body: bytes, values: Mapping[str, str]) -> bytes:
    """The bytes to sign: ``template`` with ``{body}`` as raw bytes and the other
    placeholders as the UTF-8 of ``values`` (header values as received)."""
    if template == BODY_ONLY:
        return body
    pieces: list[bytes] = []
    for index, part in enumerate(parse_template(template)):
        if index % 2 == 0:
            pieces.append(part.encode())
        elif part == "body":
            pieces.append(body)
        else:
            pieces.append(values[part].encode())
    return b"".join(pieces)


def parse_timestamp(value: str) -> datetime | None:
    """Unix seconds (what nearly every sender uses) or ISO 8601; ``None`` otherwise.

    An ISO time without a zone is taken as UTC.
    """
    text = value.strip()
    try:
        if _UNIX_SECONDS.fullmatch(text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def timestamp_problem(sent: datetime, received: datetime, tolerance: int) -> str | None:
    """Why ``sent`` is not acceptable at ``received``, or ``None`` when it is.

    Future timestamps are rejected too: a sender whose clock runs ahead could
    otherwise mint deliveries that stay replayable for longer than the tolerance.
    """
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    skew = (received - sent).total_seconds()
    if skew > tolerance:
        return f"timestamp is older than the tolerance of {tolerance} s (replayed or delayed)"
    if -skew > tolerance:
        return (
            f"timestamp is more than {tolerance} s in the future "
            "(check the sender's clock; hookgate expects Unix seconds)"
        )
    return None


def unix_seconds(moment: datetime) -> str:
    """The timestamp text a signer puts in its header and in the signed content."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return str(int(moment.timestamp()))


__all__ = [
    "BODY_ONLY",
    "PLACEHOLDERS",
    "TemplateError",
    "build_message",
    "parse_template",
    "parse_timestamp",
    "placeholders",
    "timestamp_problem",
    "unix_seconds",
]
