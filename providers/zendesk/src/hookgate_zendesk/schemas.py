"""Zendesk event schemas, built from Zendesk's documented event shape.

Every event has ``type``, ``id``, ``time``, ``account_id``,
``zendesk_event_version``, ``subject``, ``detail`` (the object as it is now)
and ``event`` (what changed). Ids are strings in Zendesk's examples and
integers in some peers' captures, so both validate. No openly licensed
capture exists, so the samples follow the documentation
(developer.zendesk.com/api-reference/webhooks/event-types/).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hookgate import EventSchema

Schema = dict[str, Any]
ID_TYPES = ["string", "integer", "null"]


def _s(description: str) -> Schema:
    return {"type": ["string", "null"], "description": description}


def _id(description: str) -> Schema:
    return {"type": ID_TYPES, "description": description}


def _object(description: str, properties: Schema) -> Schema:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": True,
        "properties": properties,
    }


TICKET = _object(
    "The ticket as it is now.",
    {
        "id": _id("Ticket id."),
        "subject": _s("Ticket subject line."),
        "description": _s("The ticket's first comment."),
        "status": _s("NEW, OPEN, PENDING, HOLD, SOLVED or CLOSED (casing varies)."),
        "priority": _s("LOW, NORMAL, HIGH, URGENT, or null when not set."),
        "type": _s("QUESTION, INCIDENT, PROBLEM, TASK, or null when not set."),
        "tags": {"type": "array", "items": {"type": "string"}, "description": "Ticket tags."},
        "requester_id": _id("The user who asked."),
        "submitter_id": _id("The user who submitted it (an agent on the requester's behalf)."),
        "assignee_id": _id("The agent assigned, or null when nobody is."),
        "group_id": _id("The group assigned, or null."),
        "organization_id": _id("The requester's organization, or null."),
        "brand_id": _id("The brand the ticket belongs to."),
        "form_id": _id("The ticket form."),
        "external_id": _s("An id from another system, or null."),
        "is_public": {"type": "boolean", "description": "Whether it has public comments."},
        "actor_id": _id("Who made this change."),
        "created_at": _s("When the ticket was created (ISO 8601)."),
        "updated_at": _s("When the ticket last changed (ISO 8601)."),
        "via": _object("How the ticket was created.", {"channel": _s("web, email, api, ...")}),
    },
)
USER = _object(
    "The user as it is now.",
    {
        "id": _id("User id."),
        "name": _s("Full name."),
        "email": _s("Primary email address."),
        "role": _s("end-user, agent or admin."),
        "organization_id": _id("Default organization ('0' or null when none)."),
        "external_id": _s("An id from another system, or null."),
        "created_at": _s("When the user was created (ISO 8601)."),
        "updated_at": _s("When the user last changed (ISO 8601)."),
    },
)
ORGANIZATION = _object(
    "The organization as it is now.",
    {
        "id": _id("Organization id."),
        "name": _s("Organization name."),
        "external_id": _s("An id from another system, or null."),
        "group_id": _id("The group its tickets go to, or null."),
        "created_at": _s("When it was created (ISO 8601)."),
        "updated_at": _s("When it last changed (ISO 8601)."),
    },
)
SEQUENCE = _object(
    "Events with the same sequence id came from one action; their order is not guaranteed.",
    {"id": _s("Shared by the events of one action."), "position": {"type": ["integer", "null"]}},
)


def _event(description: str, properties: Schema) -> Schema:
    meta = _object("About the event.", {"sequence": SEQUENCE})
    return _object(description, {**properties, "meta": meta})


def _change(what: str, value: Schema) -> Schema:
    return _event(
        f"The {what} before and after.",
        {
            "previous": {**value, "description": f"{what} before."},
            "current": {**value, "description": f"{what} after."},
        },
    )


def _schema(description: str, domain: str, detail: Schema, event: Schema) -> Schema:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "description": description,
        "required": ["type", "id", "time", "detail"],
        "additionalProperties": True,
        "properties": {
            "type": {
                "type": "string",
                "description": "Event type, e.g. zen:event-type:ticket.created.",
            },
            "id": {"type": "string", "description": "Event id (a UUID), unique per event."},
            "time": {"type": "string", "description": "When it happened (ISO 8601, UTC)."},
            "account_id": {"type": "integer", "description": "The Zendesk account id."},
            "zendesk_event_version": _s("The event schema's version date, e.g. 2022-11-06."),
            "subject": _s(f"The entity, zen:{domain}:<id>."),
            "detail": detail,
            "event": event,
        },
    }


COMMENT = _event(
    "The added comment.",
    {
        "comment": _object(
            "The comment.",
            {
                "id": _id("Comment id."),
                "body": _s("Comment text."),
                "is_public": {"type": "boolean", "description": "Visible to the requester."},
                "author": _object(
                    "Who wrote it.",
                    {
                        "id": _id("Author user id."),
                        "name": _s("Author name."),
                        "is_staff": {"type": "boolean", "description": "An agent or admin."},
                    },
                ),
            },
        )
    },
)
ASSIGNEE = {"type": ["object", "string", "integer", "null"], "description": "The assignee"}
TAGS = _event(
    "Tags added and removed (field names from Zendesk's ticket events page: unverified).",
    {
        "tags_added": {"type": "array", "items": {"type": "string"}, "description": "Added."},
        "tags_removed": {"type": "array", "items": {"type": "string"}, "description": "Removed."},
    },
)
EMPTY = _event("Nothing changed: the entity is new.", {})

#: event type -> (description, the entity kind, the event object's schema, a sample event)
EVENTS: dict[str, tuple[str, str, Schema, dict[str, Any]]] = {
    "zen:event-type:ticket.created": ("A ticket was created.", "ticket", EMPTY, {}),
    "zen:event-type:ticket.status_changed": (
        "A ticket's status changed.",
        "ticket",
        _change("status", {"type": ["string", "null"]}),
        {"previous": "NEW", "current": "OPEN"},
    ),
    "zen:event-type:ticket.priority_changed": (
        "A ticket's priority changed.",
        "ticket",
        _change("priority", {"type": ["string", "null"]}),
        {"previous": "NORMAL", "current": "HIGH"},
    ),
    "zen:event-type:ticket.comment_added": (
        "A comment was added to a ticket.",
        "ticket",
        COMMENT,
        {
            "comment": {
                "id": "9001",
                "body": "Any update? This is urgent.",
                "is_public": True,
                "author": {"id": "8447388090494", "name": "Ada Lovelace", "is_staff": False},
            }
        },
    ),
    "zen:event-type:ticket.agent_assignment_changed": (
        "A ticket was assigned to another agent, or unassigned.",
        "ticket",
        _change("assignee", ASSIGNEE),
        {"previous": None, "current": {"id": "8447312345678"}},
    ),
    "zen:event-type:ticket.tags_changed": (
        "Tags were added to or removed from a ticket.",
        "ticket",
        TAGS,
        {"tags_added": ["vip"], "tags_removed": []},
    ),
    "zen:event-type:user.created": ("A user was created.", "user", EMPTY, {}),
    "zen:event-type:organization.created": (
        "An organization was created.",
        "organization",
        EMPTY,
        {},
    ),
}
DETAILS = {"ticket": TICKET, "user": USER, "organization": ORGANIZATION}
SAMPLE_DETAILS: dict[str, dict[str, Any]] = {
    "ticket": {
        "id": "351",
        "subject": "Printer on fire",
        "description": "It is on fire.",
        "status": "OPEN",
        "priority": "HIGH",
        "type": "INCIDENT",
        "tags": ["hardware", "vip"],
        "requester_id": "8447388090494",
        "submitter_id": "8447388090494",
        "assignee_id": None,
        "group_id": "8447320466430",
        "organization_id": None,
        "brand_id": "8447346621310",
        "is_public": True,
        "via": {"channel": "web"},
        "created_at": "2026-05-14T10:12:40Z",
        "updated_at": "2026-05-14T10:12:41Z",
    },
    "user": {
        "id": "6596848315901",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "role": "end-user",
        "organization_id": "0",
        "created_at": "2026-05-14T10:12:40Z",
        "updated_at": "2026-05-14T10:12:40Z",
    },
    "organization": {
        "id": "8447300000001",
        "name": "Analytical Engines Ltd",
        "group_id": None,
        "created_at": "2026-05-14T10:12:40Z",
        "updated_at": "2026-05-14T10:12:40Z",
    },
}
VERSIONS = {"ticket": "2022-11-06", "user": "2022-06-20", "organization": "2022-06-20"}


def _sample(name: str, domain: str, event: dict[str, Any], n: int) -> dict[str, Any]:
    detail = SAMPLE_DETAILS[domain]
    return {
        "type": name,
        "account_id": 12514403,
        "id": f"2b9ba9cc-5b1c-4f3a-9e59-{n:012d}",
        "time": "2026-05-14T10:12:41Z",
        "zendesk_event_version": VERSIONS[domain],
        "subject": f"zen:{domain}:{detail['id']}",
        "detail": detail,
        "event": event,
    }


@cache
def load_schemas() -> list[EventSchema]:
    return [
        EventSchema(
            event_type=name,
            description=description,
            schema=_schema(description, domain, DETAILS[domain], event),
            sample=_sample(name, domain, sample, n),
        )
        for n, (name, (description, domain, event, sample)) in enumerate(EVENTS.items(), 1)
    ]
