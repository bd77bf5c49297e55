"""Zendesk event schemas, built from Zendesk's documented event shape.

Every event has ``type``, ``id``, ``time``, ``account_id``,
``zendesk_event_version``, ``subject``, ``detail`` (the object as it is now)
and ``event`` (what changed). No openly licensed capture exists, so the
samples follow the documentation.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hookgate import EventSchema

Schema = dict[str, Any]


def _s(description: str) -> Schema:
    return {"type": ["string", "null"], "description": description}


TICKET = {
    "type": "object",
    "description": "The ticket as it is now.",
    "additionalProperties": True,
    "properties": {
        "id": _s("Ticket id."),
        "subject": _s("Ticket subject."),
        "description": _s("First comment."),
        "status": _s("NEW, OPEN, PENDING, HOLD, SOLVED or CLOSED."),
        "priority": _s("LOW, NORMAL, HIGH, URGENT or null."),
        "type": _s("QUESTION, INCIDENT, PROBLEM, TASK or null."),
        "tags": {"type": "array", "items": {"type": "string"}, "description": "Ticket tags."},
        "requester_id": _s("Requester user id."),
        "assignee_id": _s("Assignee user id."),
        "group_id": _s("Group id."),
        "brand_id": _s("Brand id."),
        "via": {
            "type": "object",
            "description": "How the ticket was created.",
            "properties": {"channel": _s("web_form, email, api, ...")},
        },
    },
}


def _schema(description: str, event: Schema) -> Schema:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "description": description,
        "required": ["type", "id", "time", "detail"],
        "additionalProperties": True,
        "properties": {
            "type": _s("Event type, e.g. zen:event-type:ticket.created."),
            "id": _s("Event id, unique per event."),
            "time": _s("When it happened (ISO 8601)."),
            "account_id": {"type": "integer", "description": "Zendesk account id."},
            "zendesk_event_version": _s("Event schema version."),
            "subject": _s("zen:ticket:<id>."),
            "detail": TICKET,
            "event": event,
        },
    }


def _sample(kind: str, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": f"zen:event-type:ticket.{kind}",
        "account_id": 12514403,
        "id": f"2b9ba9cc-5b1c-4f3a-9e59-{kind[:4].encode().hex():0>12}",
        "time": "2026-05-14T10:12:41Z",
        "zendesk_event_version": "2022-11-06",
        "subject": "zen:ticket:351",
        "detail": {
            "id": "351",
            "subject": "Printer on fire",
            "description": "It is on fire.",
            "status": "OPEN",
            "priority": "HIGH",
            "type": "INCIDENT",
            "tags": ["hardware", "vip"],
            "requester_id": "8447388090494",
            "assignee_id": None,
            "group_id": "8447320466430",
            "brand_id": "8447346621310",
            "via": {"channel": "web_form"},
            "created_at": "2026-05-14T10:12:40Z",
            "updated_at": "2026-05-14T10:12:41Z",
        },
        "event": event,
    }


_CHANGE = {
    "type": "object",
    "description": "The change.",
    "additionalProperties": True,
    "properties": {"previous": _s("Value before."), "current": _s("Value after.")},
}
_COMMENT = {
    "type": "object",
    "description": "The added comment.",
    "additionalProperties": True,
    "properties": {
        "comment": {
            "type": "object",
            "properties": {
                "body": _s("Comment text."),
                "is_public": {"type": "boolean"},
                "author": {"type": "object", "properties": {"id": _s("Author id.")}},
            },
        }
    },
}
#: event type -> (description, the event object's schema, a sample event object)
EVENTS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "zen:event-type:ticket.created": ("A ticket was created.", {"type": "object"}, {}),
    "zen:event-type:ticket.status_changed": (
        "A ticket's status changed.",
        _CHANGE,
        {"previous": "NEW", "current": "OPEN"},
    ),
    "zen:event-type:ticket.priority_changed": (
        "A ticket's priority changed.",
        _CHANGE,
        {"previous": "NORMAL", "current": "HIGH"},
    ),
    "zen:event-type:ticket.comment_added": (
        "A comment was added to a ticket.",
        _COMMENT,
        {
            "comment": {
                "id": "9001",
                "body": "Any update?",
                "is_public": True,
                "author": {"id": "8447388090494"},
            }
        },
    ),
}


@cache
def load_schemas() -> list[EventSchema]:
    return [
        EventSchema(
            event_type=name,
            description=description,
            schema=_schema(description, event),
            sample=_sample(name.rsplit(".", 1)[1], sample),
        )
        for name, (description, event, sample) in EVENTS.items()
    ]
