"""Jira Cloud event schemas for the 8 events dynamic webhooks send: the fields people
filter on, each described, open to everything else (Atlassian publishes no schema).

Issue and comment samples are captures from Jira Cloud
(``mattermost/mattermost-plugin-jira``, Apache-2.0). No public capture of the
issue-property events exists: their samples follow the documented envelope
(``timestamp``, ``webhookEvent``, ``issue``, ``property``) and are marked so in
``docs/jira.md``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hookgate import EventSchema
from hookgate.schema_files import with_samples

Schema = dict[str, Any]


def _obj(description: str, /, **props: Schema) -> Schema:
    return {
        "type": "object",
        "description": description,
        "properties": props,
        "additionalProperties": True,
    }


def _s(description: str) -> Schema:
    return {"type": ["string", "null"], "description": description}


NAMED = _obj("A named value.", name=_s("Name."), id=_s("Id."))
USER = _obj(
    "A Jira user.",
    accountId=_s("Atlassian account id."),
    displayName=_s("Display name."),
    emailAddress=_s("Email, when visible."),
)
FIELDS = _obj(
    "The issue's fields (custom fields appear as customfield_NNNNN).",
    summary=_s("Issue summary."),
    description=_s("Issue description (wiki markup or ADF rendered to text)."),
    issuetype=NAMED,
    project=_obj("The project.", key=_s("Project key, e.g. PROJ."), name=_s("Project name.")),
    status=_obj(
        "Workflow status.",
        name=_s("Status name, e.g. In Progress."),
        statusCategory=_obj("Status category.", key=_s("new, indeterminate or done.")),
    ),
    priority=_obj("Priority.", name=_s("Priority name, e.g. High.")),
    labels={"type": "array", "items": {"type": "string"}, "description": "Issue labels."},
    assignee={"anyOf": [USER, {"type": "null"}], "description": "Assignee, or null."},
    reporter={"anyOf": [USER, {"type": "null"}], "description": "Reporter, or null."},
    resolution={"anyOf": [NAMED, {"type": "null"}], "description": "Resolution, or null."},
)
ISSUE = _obj(
    "The issue (comment events carry a reduced one).",
    id=_s("Issue id."),
    key=_s("Issue key, e.g. PROJ-12."),
    self=_s("REST URL of the issue; its host is the site."),
    fields=FIELDS,
)
CHANGELOG = _obj(
    "What changed.",
    items={
        "type": "array",
        "description": "Changed fields.",
        "items": _obj(
            "One change.",
            field=_s("Field name, e.g. status, resolution, description."),
            fieldtype=_s("jira for system fields, custom for custom fields."),
            fieldId=_s("Field id, e.g. status or customfield_10010."),
            fromString=_s("Old value as text."),
            toString=_s("New value as text."),
        ),
    },
    id=_s("Changelog id."),
)
COMMENT = _obj(
    "The comment.",
    id=_s("Comment id."),
    body=_s("Comment text (wiki markup)."),
    author=USER,
    updateAuthor=USER,
    created=_s("When it was written (ISO 8601)."),
    updated=_s("When it was last edited (ISO 8601)."),
)
PROPERTY = _obj(
    "The issue property that was set or deleted.",
    key=_s("Property key."),
    value={"description": "The property's JSON value (absent when deleted)."},
)
MATCHED = {
    "type": "array",
    "items": {"type": "integer"},
    "description": "Ids of the registered webhooks that matched; absent on admin webhooks.",
}


def _event(description: str, /, **props: Schema) -> Schema:
    schema = _obj(
        description,
        webhookEvent=_s("Event name, e.g. jira:issue_updated."),
        timestamp={"type": "integer", "description": "Milliseconds since the epoch."},
        matchedWebhookIds=MATCHED,
        **props,
    )
    schema["required"] = ["webhookEvent"]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


ISSUE_EVENT = {
    "issue": ISSUE,
    "user": USER,
    "changelog": CHANGELOG,
    "issue_event_type_name": _s(
        "What happened: issue_created, issue_updated, issue_generic (a transition), "
        "issue_assigned, issue_commented (a comment added also raises jira:issue_updated), ..."
    ),
}
EVENTS: dict[str, tuple[str, Schema]] = {
    "jira:issue_created": ("An issue was created.", _event("Issue created.", **ISSUE_EVENT)),
    "jira:issue_updated": (
        "An issue was edited, transitioned, assigned, ...",
        _event("Issue updated.", **ISSUE_EVENT),
    ),
    "jira:issue_deleted": ("An issue was deleted.", _event("Issue deleted.", **ISSUE_EVENT)),
    "comment_created": (
        "A comment was added to an issue.",
        _event("Comment created.", comment=COMMENT, issue=ISSUE),
    ),
    "comment_updated": (
        "A comment was edited.",
        _event("Comment updated.", comment=COMMENT, issue=ISSUE),
    ),
    "comment_deleted": (
        "A comment was deleted.",
        _event("Comment deleted.", comment=COMMENT, issue=ISSUE),
    ),
    "issue_property_set": (
        "An issue property (an app's data on an issue) was set.",
        _event("Issue property set.", property=PROPERTY, issue=ISSUE, user=USER),
    ),
    "issue_property_deleted": (
        "An issue property was deleted.",
        _event("Issue property deleted.", property=PROPERTY, issue=ISSUE, user=USER),
    ),
}


@cache
def load_schemas() -> list[EventSchema]:
    return with_samples("hookgate_jira", EVENTS, file_name=lambda name: name.replace(":", "_"))
