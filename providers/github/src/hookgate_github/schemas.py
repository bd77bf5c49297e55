"""GitHub event schemas written for hookgate.

They describe the fields people filter on and stay open to everything else
(GitHub adds fields over time, so objects allow additional properties and
``action`` is documented, not a closed enum). Samples are real deliveries from
``octokit/webhooks`` (MIT).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from hookgate import EventSchema

Schema = dict[str, Any]


def _obj(description: str, required: tuple[str, ...] = (), /, **props: Schema) -> Schema:
    return {
        "type": "object",
        "description": description,
        "properties": props,
        "required": list(required),
        "additionalProperties": True,
    }


def _s(description: str, nullable: bool = False) -> Schema:
    return {"type": ["string", "null"] if nullable else "string", "description": description}


def _i(description: str) -> Schema:
    return {"type": "integer", "description": description}


def _b(description: str) -> Schema:
    return {"type": "boolean", "description": description}


def _arr(description: str, items: Schema) -> Schema:
    return {"type": "array", "description": description, "items": items}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}], "description": schema.get("description", "")}


USER = _obj(
    "A GitHub account.",
    ("login", "id"),
    login=_s("Account login."),
    id=_i("Account id."),
    type=_s("User, Organization or Bot."),
)
LABEL = _obj(
    "An issue or pull request label.",
    ("name",),
    name=_s("Label name."),
    color=_s("Hex colour without #."),
    description=_s("Label description.", True),
)
REPOSITORY = _obj(
    "The repository the event happened in.",
    ("id", "name", "full_name"),
    id=_i("Repository id."),
    name=_s("Repository name without owner."),
    full_name=_s("owner/name."),
    private=_b("True for a private repository."),
    owner=USER,
    default_branch=_s("Default branch name."),
    topics=_arr("Repository topics.", {"type": "string"}),
)
ORG = _obj("The organization, when the repository belongs to one.", ("login",), login=_s("Login."))
BRANCH_REF = _obj(
    "A branch end of a pull request.",
    ("ref",),
    ref=_s("Branch name."),
    sha=_s("Commit SHA."),
    label=_s("owner:branch."),
)
PULL_REQUEST = _obj(
    "The pull request.",
    ("number", "title", "state"),
    number=_i("Pull request number."),
    title=_s("Title."),
    body=_s("Description (Markdown).", True),
    state=_s("open or closed."),
    draft=_b("True for a draft pull request."),
    merged=_nullable(_b("True once merged.")),
    user=USER,
    labels=_arr("Labels on the pull request.", LABEL),
    assignees=_arr("Assigned accounts.", USER),
    requested_reviewers=_arr("Accounts asked to review.", USER),
    head=BRANCH_REF,
    base=BRANCH_REF,
    commits=_i("Number of commits."),
    additions=_i("Lines added."),
    deletions=_i("Lines deleted."),
    changed_files=_i("Number of files changed."),
    html_url=_s("Web page of the pull request."),
    author_association=_s("OWNER, MEMBER, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, NONE, ..."),
)
ISSUE = _obj(
    "The issue (pull requests are issues too).",
    ("number", "title", "state"),
    number=_i("Issue number."),
    title=_s("Title."),
    body=_s("Description (Markdown).", True),
    state=_s("open or closed."),
    user=USER,
    labels=_arr("Labels on the issue.", LABEL),
    assignees=_arr("Assigned accounts.", USER),
    comments=_i("Number of comments."),
    html_url=_s("Web page of the issue."),
    author_association=_s("Author's association with the repository."),
)
COMMENT = _obj(
    "The comment.",
    ("id", "body"),
    id=_i("Comment id."),
    body=_s("Comment text."),
    user=USER,
    html_url=_s("Web page of the comment."),
)
COMMIT = _obj(
    "A pushed commit.",
    ("id",),
    id=_s("Commit SHA."),
    message=_s("Commit message."),
    author=_obj("Commit author.", name=_s("Name."), email=_s("Email.", True)),
    added=_arr("Added paths.", {"type": "string"}),
    removed=_arr("Removed paths.", {"type": "string"}),
    modified=_arr("Modified paths.", {"type": "string"}),
)
RELEASE = _obj(
    "The release.",
    ("tag_name",),
    tag_name=_s("Tag, e.g. v1.2.0."),
    name=_s("Title.", True),
    body=_s("Release notes.", True),
    draft=_b("Draft release."),
    prerelease=_b("Pre-release."),
    author=USER,
)
WORKFLOW_RUN = _obj(
    "The workflow run.",
    ("id", "name", "status"),
    id=_i("Run id."),
    name=_s("Workflow name.", True),
    head_branch=_s("Branch the run is for.", True),
    head_sha=_s("Commit SHA."),
    event=_s("Event that triggered the run (push, pull_request, ...)."),
    status=_s("queued, in_progress or completed.", True),
    conclusion=_s(
        "success, failure, cancelled, skipped, timed_out, ... (null until completed).", True
    ),
    run_attempt=_i("Attempt number."),
    html_url=_s("Web page of the run."),
)
COMMON = {"repository": REPOSITORY, "sender": USER, "organization": ORG}


def _event(description: str, required: tuple[str, ...], /, **props: Schema) -> Schema:
    schema = _obj(description, required, **COMMON, **props)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


ACTION = "What happened, e.g. {}."
EVENTS: dict[str, tuple[str, Schema]] = {
    "pull_request": (
        "A pull request was opened, edited, closed, labeled, synchronized, ...",
        _event(
            "pull_request event",
            ("action", "number", "pull_request"),
            action=_s(ACTION.format("opened, closed, synchronize, labeled")),
            number=_i("Pull request number."),
            pull_request=PULL_REQUEST,
            label=LABEL,
        ),
    ),
    "issues": (
        "An issue was opened, edited, closed, labeled, assigned, ...",
        _event(
            "issues event",
            ("action", "issue"),
            action=_s(ACTION.format("opened, closed, labeled, assigned")),
            issue=ISSUE,
            label=LABEL,
            assignee=_nullable(USER),
        ),
    ),
    "issue_comment": (
        "A comment on an issue or pull request was created, edited or deleted.",
        _event(
            "issue_comment event",
            ("action", "issue", "comment"),
            action=_s(ACTION.format("created, edited, deleted")),
            issue=ISSUE,
            comment=COMMENT,
        ),
    ),
    "push": (
        "Commits were pushed to a branch or tag.",
        _event(
            "push event",
            ("ref", "commits"),
            ref=_s("Full ref, e.g. refs/heads/main."),
            before=_s("SHA before the push."),
            after=_s("SHA after the push."),
            created=_b("The ref was created."),
            deleted=_b("The ref was deleted."),
            forced=_b("A force push."),
            commits=_arr("Pushed commits.", COMMIT),
            head_commit=_nullable(COMMIT),
            pusher=_obj("Who pushed.", name=_s("Name.")),
        ),
    ),
    "release": (
        "A release was published, created, edited, ...",
        _event(
            "release event",
            ("action", "release"),
            action=_s(ACTION.format("published, created, released")),
            release=RELEASE,
        ),
    ),
    "workflow_run": (
        "A GitHub Actions workflow run was requested, in progress or completed.",
        _event(
            "workflow_run event",
            ("action", "workflow_run"),
            action=_s(ACTION.format("requested, in_progress, completed")),
            workflow_run=WORKFLOW_RUN,
        ),
    ),
    "ping": (
        "Sent once when a webhook is created, to check that it reaches its URL.",
        _event(
            "ping event",
            ("zen", "hook_id"),
            zen=_s("A random line of GitHub zen."),
            hook_id=_i("Id of the webhook."),
            hook=_obj("The webhook configuration."),
        ),
    ),
}


@cache
def load_schemas() -> list[EventSchema]:
    """Every GitHub event schema with its sample (read once)."""
    samples = resources.files("hookgate_github") / "samples"
    return [
        EventSchema(
            event_type=name,
            description=description,
            schema=schema,
            sample=json.loads((samples / f"{name}.json").read_text()),
        )
        for name, (description, schema) in EVENTS.items()
    ]
