"""Event type and delivery id of a custom source's deliveries.

Both come from a header or from a dotted path into the JSON body
(``data.object.type``; a number indexes an array: ``items.0.id``). A missing
event type is an error, because guessing one would route the delivery to the
wrong triggers; a missing delivery id is not, because core then deduplicates
on a hash of the body within ``HOOKGATE_DEDUP_WINDOW``.
"""

from __future__ import annotations

from typing import Any

from hookgate import EventIdentity, WebhookRequest

from hookgate_custom.settings import CustomSettings

#: The event type of sources that do not say where theirs is.
DEFAULT_EVENT_TYPE = "webhook"

#: What :func:`value_at` returns for a path that leads nowhere (JSON null is a value).
MISSING = object()


def value_at(document: Any, path: str) -> Any:
    """The value at dotted ``path`` in ``document``, or :data:`MISSING` when any step is absent."""
    current = document
    for segment in path.split("."):
        current = _step(current, segment)
        if current is MISSING:
            break
    return current


def _step(current: Any, segment: str) -> Any:
    if isinstance(current, dict):
        return current.get(segment, MISSING)
    # ASCII digits only: int() would also read other scripts' digits.
    if isinstance(current, list) and segment.isascii() and segment.isdigit():
        index = int(segment)
        return current[index] if index < len(current) else MISSING
    return MISSING


def _as_text(value: Any) -> str | None:
    # Numbers are common as ids; bool is an int subclass but never a sensible id.
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


class _Body:
    """The JSON body, parsed at most once and only when a setting needs it."""

    def __init__(self, request: WebhookRequest) -> None:
        self._request = request
        self._parsed: Any = MISSING
        self.error: str | None = None

    def get(self, path: str) -> Any:
        if self._parsed is MISSING and self.error is None:
            try:
                self._parsed = self._request.json()
            except ValueError as error:
                self.error = f"the body is not JSON ({error})"
        return MISSING if self.error else value_at(self._parsed, path)


def _event_type(settings: CustomSettings, request: WebhookRequest, body: _Body) -> str:
    if settings.event_type_header is not None:
        found = _as_text(request.headers.get(settings.event_type_header))
        if found is None:
            raise ValueError(
                f"missing header {settings.event_type_header}, which names the event type "
                "(event_type_header)"
            )
        return found
    if settings.event_type_field is not None:
        path = settings.event_type_field
        found = _as_text(body.get(path))
        if found is None:
            why = body.error or f"the body has no string or integer at {path!r}"
            raise ValueError(f"cannot read the event type (event_type_field {path!r}): {why}")
        return found
    return DEFAULT_EVENT_TYPE


def _delivery_id(settings: CustomSettings, request: WebhookRequest, body: _Body) -> str | None:
    if settings.delivery_id_header is not None:
        return _as_text(request.headers.get(settings.delivery_id_header))
    if settings.delivery_id_field is not None:
        return _as_text(body.get(settings.delivery_id_field))
    return None


def identify_request(settings: CustomSettings, request: WebhookRequest) -> EventIdentity:
    """Event type and delivery id of ``request``; :class:`ValueError` when the
    configured event type cannot be found."""
    body = _Body(request)
    return EventIdentity(
        event_type=_event_type(settings, request, body),
        delivery_id=_delivery_id(settings, request, body),
    )


__all__ = ["DEFAULT_EVENT_TYPE", "MISSING", "identify_request", "value_at"]
