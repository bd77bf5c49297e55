"""What an event's identity may hold: the same limits on SQLite and PostgreSQL.

The event type, delivery id and content type of a delivery come from the
sender (headers, or fields of the body the provider reads). They are checked
before the store, so a value no store can hold is a ``400`` naming the field,
not a failed insert answered ``503`` (which the sender would retry forever),
and a value over its column's size is refused the same way on both stores
instead of being cut on one: two delivery ids that differ only after the
limit must never be taken for one delivery.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import String

from hookgate.store.models import Event


def _column_length(name: str) -> int:
    column_type = Event.__table__.c[name].type
    assert isinstance(column_type, String), name
    assert column_type.length, name
    return column_type.length


#: Characters, as the model's columns (and migration 0001) size them.
EVENT_TYPE_MAX = _column_length("event_type")
DELIVERY_ID_MAX = _column_length("delivery_id")
CONTENT_TYPE_MAX = _column_length("content_type")

#: What neither store can hold: NUL (PostgreSQL text and jsonb) and lone
#: surrogates (not encodable as UTF-8, so not by either driver).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(name: str, value: str, limit: int | None = None) -> str | None:
    """Why ``value`` (the ``name`` of a delivery) cannot be stored, or ``None``."""
    if limit is not None and len(value) > limit:
        return f"{name} is {len(value)} characters long; the limit is {limit}"
    if "\x00" not in value and (value.isascii() or _UNSTORABLE.search(value) is None):
        return None
    found = _UNSTORABLE.search(value)
    assert found is not None
    char = found.group()
    what = "NUL" if char == "\x00" else "a lone surrogate"
    where = f"(U+{ord(char):04X}) at character {found.start()}"
    return f"{name} holds {what} {where}, which no store can hold"


def identity_problem(
    event_type: str,
    delivery_id: str | None,
    content_type: str,
    extra: Iterable[tuple[str, str]] = (),
) -> str | None:
    """The first reason the identity of a delivery cannot be stored as it is, or ``None``.

    :param extra: other ``(name, value)`` texts stored with the event (kept
        headers, the provider's metadata): checked for characters, not length.
    """
    problem = text_problem("the event type", event_type, EVENT_TYPE_MAX) or text_problem(
        "the content type", content_type, CONTENT_TYPE_MAX
    )
    if problem is None and delivery_id is not None:
        problem = text_problem("the delivery id", delivery_id, DELIVERY_ID_MAX)
    for name, value in extra:
        problem = problem or text_problem(name, value)
    return problem


__all__ = [
    "CONTENT_TYPE_MAX",
    "DELIVERY_ID_MAX",
    "EVENT_TYPE_MAX",
    "identity_problem",
    "text_problem",
]
