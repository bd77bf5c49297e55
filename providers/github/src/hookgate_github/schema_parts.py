"""Building blocks of the GitHub event schemas: the objects events share.

Each object declares the fields people filter on, with a description (they
feed the filter type check, filter generation and the docs), and allows every
other field: GitHub adds fields over time and old deliveries lack new ones, so
``required`` lists only what GitHub has always sent.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def obj(description: str, required: tuple[str, ...] = (), /, **props: Schema) -> Schema:
    return {
        "type": "object",
        "description": description,
        "properties": props,
        "required": list(required),
        "additionalProperties": True,
    }


def string(description: str, *, nullable: bool = False, examples: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {
        "type": ["string", "null"] if nullable else "string",
        "description": description,
    }
    if examples:
        schema["examples"] = list(examples)
    return schema


def integer(description: str, *, nullable: bool = False) -> Schema:
    return {"type": ["integer", "null"] if nullable else "integer", "description": description}


def boolean(description: str, *, nullable: bool = False) -> Schema:
    return {"type": ["boolean", "null"] if nullable else "boolean", "description": description}


def array(description: str, items: Schema) -> Schema:
    return {"type": "array", "description": description, "items": items}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}], "description": schema.get("description", "")}


def action(description: str, *examples: str) -> Schema:
    """``action``: documented with its known values, never a closed enum (GitHub adds actions)."""
    known = ", ".join(examples)
    return string(f"{description} Known values include: {known}.", examples=examples)


def timestamp(description: str, *, nullable: bool = False) -> Schema:
    return string(f"{description} (ISO 8601 date and time).", nullable=nullable)


USER = obj(
    "A GitHub account (user, organization or bot).",
    ("login", "id"),
    login=string("Account login, e.g. octocat; bots end in [bot]."),
    id=integer("Account id."),
    type=string("User, Organization or Bot."),
    site_admin=boolean("True for a GitHub (Enterprise) site administrator."),
)
LABEL = obj(
    "An issue or pull request label.",
    ("name",),
    name=string("Label name, e.g. bug."),
    color=string("Hex colour without #."),
    description=string("Label description.", nullable=True),
    default=boolean("True for one of the repository's default labels."),
)
MILESTONE = obj(
    "A milestone.",
    ("title",),
    title=string("Milestone title."),
    number=integer("Milestone number."),
    state=string("open or closed."),
    due_on=timestamp("Due date", nullable=True),
)
REPOSITORY = obj(
    "The repository the event happened in.",
    ("id", "name", "full_name"),
    id=integer("Repository id."),
    name=string("Repository name without owner."),
    full_name=string("owner/name, e.g. octo-org/webapp."),
    private=boolean("True for a private repository."),
    visibility=string("public, private or internal (newer deliveries only)."),
    fork=boolean("True for a fork."),
    archived=boolean("True for an archived repository."),
    owner=USER,
    default_branch=string("Default branch name, e.g. main."),
    language=string("Main language.", nullable=True),
    topics=array("Repository topics (newer deliveries only).", {"type": "string"}),
    html_url=string("Web page of the repository."),
)
ORGANIZATION = obj(
    "The organization, when the repository or project belongs to one.",
    ("login",),
    login=string("Organization login."),
    id=integer("Organization id."),
)
BRANCH_REF = obj(
    "One end of a pull request: a branch at a commit.",
    ("ref",),
    ref=string("Branch name, e.g. main."),
    sha=string("Commit SHA."),
    label=string("owner:branch."),
    user=nullable(USER),
    repo=nullable(REPOSITORY),
)
PULL_REQUEST = obj(
    "The pull request.",
    ("number", "title", "state"),
    number=integer("Pull request number."),
    title=string("Title."),
    body=string("Description (Markdown).", nullable=True),
    state=string("open or closed (a merged pull request is closed with merged true)."),
    draft=boolean("True for a draft pull request."),
    locked=boolean("True when conversation is locked."),
    merged=boolean("True once merged (absent in some review and comment events).", nullable=True),
    merged_by=nullable(USER),
    merged_at=timestamp("When it was merged", nullable=True),
    user=USER,
    labels=array("Labels on the pull request.", LABEL),
    assignees=array("Assigned accounts.", USER),
    requested_reviewers=array("Accounts asked to review (teams are in requested_teams).", USER),
    milestone=nullable(MILESTONE),
    head=BRANCH_REF,
    base=BRANCH_REF,
    commits=integer("Number of commits."),
    additions=integer("Lines added."),
    deletions=integer("Lines deleted."),
    changed_files=integer("Number of files changed."),
    comments=integer("Number of conversation comments."),
    review_comments=integer("Number of review comments."),
    mergeable_state=string("clean, dirty, blocked, unstable, unknown, ..."),
    html_url=string("Web page of the pull request."),
    author_association=string(
        "The author's relation to the repository: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, "
        "FIRST_TIME_CONTRIBUTOR, FIRST_TIMER or NONE."
    ),
    created_at=timestamp("Opened at"),
    updated_at=timestamp("Last changed at"),
    closed_at=timestamp("Closed at", nullable=True),
)
ISSUE = obj(
    "The issue. Pull requests are issues too: then issue.pull_request is present.",
    ("number", "title", "state"),
    number=integer("Issue number."),
    title=string("Title."),
    body=string("Description (Markdown).", nullable=True),
    state=string("open or closed."),
    state_reason=string("Why it was closed: completed, not_planned, reopened.", nullable=True),
    locked=boolean("True when conversation is locked."),
    user=USER,
    labels=array("Labels on the issue.", LABEL),
    assignee=nullable(USER),
    assignees=array("Assigned accounts.", USER),
    milestone=nullable(MILESTONE),
    comments=integer("Number of comments."),
    pull_request=obj("Present only when the issue is a pull request.", url=string("API URL.")),
    html_url=string("Web page of the issue."),
    author_association=string("The author's relation to the repository (OWNER, MEMBER, ...)."),
    created_at=timestamp("Opened at"),
    closed_at=timestamp("Closed at", nullable=True),
)
COMMENT = obj(
    "The comment.",
    ("id", "body"),
    id=integer("Comment id."),
    body=string("Comment text (Markdown)."),
    user=USER,
    author_association=string("The commenter's relation to the repository (OWNER, MEMBER, ...)."),
    html_url=string("Web page of the comment."),
    created_at=timestamp("Written at"),
)
COMMIT = obj(
    "A pushed commit.",
    ("id",),
    id=string("Commit SHA."),
    message=string("Commit message."),
    timestamp=timestamp("Commit time"),
    distinct=boolean("False when the commit was already pushed to another branch."),
    author=obj("Commit author.", name=string("Name."), email=string("Email.", nullable=True)),
    committer=obj("Committer.", name=string("Name."), email=string("Email.", nullable=True)),
    added=array("Added paths.", {"type": "string"}),
    removed=array("Removed paths.", {"type": "string"}),
    modified=array("Modified paths.", {"type": "string"}),
    url=string("Web page of the commit."),
)

__all__ = [
    "BRANCH_REF",
    "COMMENT",
    "COMMIT",
    "ISSUE",
    "LABEL",
    "MILESTONE",
    "ORGANIZATION",
    "PULL_REQUEST",
    "REPOSITORY",
    "USER",
    "Schema",
    "action",
    "array",
    "boolean",
    "integer",
    "nullable",
    "obj",
    "string",
    "timestamp",
]
