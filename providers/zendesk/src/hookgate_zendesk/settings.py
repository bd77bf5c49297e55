"""Per-source settings of a Zendesk source, validated by the provider's config model."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

#: Zendesk retries a failed delivery a few times over minutes, and does not document
#: whether a retry carries a fresh timestamp; invocation ids deduplicate replays, so the
#: window only has to stop old captures, not retries (docs/zendesk.md).
DEFAULT_TOLERANCE = 3600
_HEADER = re.compile(r"[A-Za-z0-9-]+")


class ZendeskSettings(BaseModel, extra="forbid", frozen=True):
    """Per-source settings of a Zendesk source."""

    tolerance_seconds: int = Field(
        default=DEFAULT_TOLERANCE,
        ge=0,
        le=86400,
        description=(
            "Reject deliveries whose X-Zendesk-Webhook-Signature-Timestamp is further than "
            "this from now, in seconds; 0 disables the check (not recommended)."
        ),
    )
    accept_test_requests: bool = Field(
        default=False,
        description=(
            "Also accept requests signed with Zendesk's public test secret (the webhook "
            "builder's 'Test webhook' button). Anyone can sign with it: turn it on only "
            "while setting up, never for a source that starts agent runs."
        ),
    )
    event_type_field: str = Field(
        default="type",
        min_length=1,
        max_length=200,
        description=(
            "Where the event type is in the body, as a dotted path (event-subscribed "
            "webhooks: 'type'). For trigger or automation webhooks, put the field your "
            "JSON body template sets, e.g. 'event' or 'ticket.event_type'."
        ),
    )
    event_type_header: str | None = Field(
        default=None,
        max_length=100,
        description=(
            "A request header carrying the event type instead (a custom header of a "
            "trigger webhook, e.g. X-Event-Type); it wins over event_type_field."
        ),
    )

    @field_validator("event_type_header")
    @classmethod
    def _header_name(cls, value: str | None) -> str | None:
        if value is not None and not _HEADER.fullmatch(value):
            raise ValueError("event_type_header must be a header name: letters, digits and '-'")
        return value


__all__ = ["DEFAULT_TOLERANCE", "ZendeskSettings"]
