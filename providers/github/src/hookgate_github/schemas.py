"""GitHub event schemas written for hookgate, with a sample of each event.

They describe the fields people filter on and stay open to everything else
(see :mod:`hookgate_github.schema_parts`); ``action`` is documented with its
known values but never a closed enum, since GitHub adds actions. Samples are
real deliveries from ``octokit/webhooks`` (MIT) where one exists in the
test fixtures; ``pull_request_review`` and ``projects_v2_item`` are written
for hookgate after GitHub's webhook documentation.
"""

from __future__ import annotations

from functools import cache

from hookgate import EventSchema
from hookgate.schema_files import with_samples

from hookgate_github.schema_parts import (
    COMMENT,
    COMMIT,
    ISSUE,
    LABEL,
    ORGANIZATION,
    PULL_REQUEST,
    REPOSITORY,
    USER,
    Schema,
    action,
    array,
    boolean,
    integer,
    nullable,
    obj,
    string,
    timestamp,
)

COMMON = {"repository": REPOSITORY, "sender": USER, "organization": ORGANIZATION}
CHANGES = obj(
    "What an edited action changed: the previous values, e.g. changes.title.from.",
)


def _event(title: str, required: tuple[str, ...], /, **props: Schema) -> Schema:
    schema = obj(title, required, **COMMON, **props)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


REVIEW = obj(
    "The review.",
    ("id", "state"),
    id=integer("Review id."),
    state=string(
        "approved, changes_requested, commented or dismissed (lower case in webhooks).",
        examples=("approved", "changes_requested", "commented", "dismissed"),
    ),
    body=string("The review's summary comment (Markdown).", nullable=True),
    user=nullable(USER),
    commit_id=string("SHA of the commit reviewed."),
    submitted_at=timestamp("Submitted at", nullable=True),
    author_association=string("The reviewer's relation to the repository (OWNER, MEMBER, ...)."),
    html_url=string("Web page of the review."),
)
RELEASE = obj(
    "The release.",
    ("tag_name",),
    tag_name=string("Tag, e.g. v1.2.0."),
    name=string("Title.", nullable=True),
    body=string("Release notes (Markdown).", nullable=True),
    draft=boolean("True for a draft release."),
    prerelease=boolean("True for a pre-release."),
    target_commitish=string("Branch or commit the tag was made from."),
    author=USER,
    html_url=string("Web page of the release."),
    published_at=timestamp("Published at", nullable=True),
)
WORKFLOW_RUN = obj(
    "The workflow run.",
    ("id", "name", "status"),
    id=integer("Run id."),
    name=string("Workflow name, e.g. CI.", nullable=True),
    display_title=string("The run's title (commit message or pull request title)."),
    path=string("Workflow file, e.g. .github/workflows/ci.yml."),
    head_branch=string("Branch the run is for.", nullable=True),
    head_sha=string("Commit SHA the run is for."),
    event=string("What started the run: push, pull_request, schedule, workflow_dispatch, ..."),
    status=string("queued, in_progress, waiting, requested, pending or completed.", nullable=True),
    conclusion=string(
        "success, failure, cancelled, skipped, timed_out, action_required, neutral or stale; "
        "null until completed.",
        nullable=True,
    ),
    run_number=integer("Run number of this workflow."),
    run_attempt=integer("Attempt number (re-runs count up)."),
    actor=USER,
    triggering_actor=USER,
    pull_requests=array(
        "Pull requests the run is for.",
        obj("A pull request.", number=integer("Pull request number.")),
    ),
    html_url=string("Web page of the run."),
)
WORKFLOW = obj("The workflow.", name=string("Workflow name."), path=string("Workflow file path."))
PROJECT_ITEM = obj(
    "The project (v2) item.",
    ("id", "project_node_id", "content_type"),
    id=integer("Item id."),
    node_id=string("Item node id (GraphQL)."),
    project_node_id=string("Node id of the project the item is in."),
    content_node_id=string("Node id of the issue, pull request or draft issue."),
    content_type=string("Issue, PullRequest or DraftIssue.", examples=("Issue", "PullRequest")),
    creator=USER,
    created_at=timestamp("Added at"),
    updated_at=timestamp("Last changed at"),
    archived_at=timestamp("Archived at", nullable=True),
)
FIELD_CHANGE = obj(
    "The field an edited action changed.",
    ("field_node_id",),
    field_node_id=string("Node id of the project field."),
    field_type=string("text, number, date, single_select, iteration, ..."),
    field_name=string("The field's name, e.g. Status."),
    **{"from": {"description": "Previous value (shape depends on the field type)."}},
    to={"description": "New value (shape depends on the field type)."},
)
HOOK = obj(
    "The webhook that was just created.",
    type=string("Repository or Organization."),
    id=integer("Webhook id."),
    active=boolean("Whether the webhook is active."),
    events=array("Events it subscribes to (* is all).", {"type": "string"}),
    config=obj(
        "Its delivery settings (the secret is never included).",
        url=string("Payload URL."),
        content_type=string("json or form."),
        insecure_ssl=string('"0" when GitHub verifies TLS certificates.'),
    ),
)

EVENTS: dict[str, tuple[str, Schema]] = {
    "pull_request": (
        "A pull request was opened, edited, closed or merged, labeled, synchronized, ...",
        _event(
            "pull_request event",
            ("action", "number", "pull_request"),
            action=action(
                "What happened.",
                *("opened", "edited", "closed", "reopened", "synchronize", "labeled"),
                *("unlabeled", "assigned", "review_requested", "ready_for_review"),
                "converted_to_draft",
            ),
            number=integer("Pull request number."),
            pull_request=PULL_REQUEST,
            label=LABEL,
            assignee=nullable(USER),
            requested_reviewer=USER,
            before=string("synchronize: head SHA before the push."),
            after=string("synchronize: head SHA after the push."),
            changes=CHANGES,
        ),
    ),
    "issues": (
        "An issue was opened, edited, closed, labeled, assigned, ...",
        _event(
            "issues event",
            ("action", "issue"),
            action=action(
                "What happened.",
                *("opened", "edited", "closed", "reopened", "labeled", "unlabeled"),
                *("assigned", "unassigned", "milestoned", "transferred", "deleted"),
            ),
            issue=ISSUE,
            label=LABEL,
            assignee=nullable(USER),
            changes=CHANGES,
        ),
    ),
    "issue_comment": (
        "A comment on an issue or pull request was created, edited or deleted.",
        _event(
            "issue_comment event",
            ("action", "issue", "comment"),
            action=action("What happened.", "created", "edited", "deleted"),
            issue=ISSUE,
            comment=COMMENT,
            changes=CHANGES,
        ),
    ),
    "pull_request_review": (
        "A pull request review was submitted, edited or dismissed.",
        _event(
            "pull_request_review event",
            ("action", "review", "pull_request"),
            action=action("What happened.", "submitted", "edited", "dismissed"),
            review=REVIEW,
            pull_request=PULL_REQUEST,
            changes=CHANGES,
        ),
    ),
    "push": (
        "Commits or tags were pushed, or a branch or tag was created or deleted.",
        _event(
            "push event",
            ("ref", "commits"),
            ref=string("Full ref, e.g. refs/heads/main or refs/tags/v1.0."),
            base_ref=string("For a tag push: the branch it points into.", nullable=True),
            before=string("SHA before the push (all zeros for a new ref)."),
            after=string("SHA after the push (all zeros for a deleted ref)."),
            created=boolean("The ref was created."),
            deleted=boolean("The ref was deleted."),
            forced=boolean("A force push."),
            compare=string("Web page comparing before and after."),
            commits=array("Pushed commits (at most 2048; the latest 20 have details).", COMMIT),
            head_commit=nullable(COMMIT),
            pusher=obj("Who pushed.", name=string("Name."), email=string("Email.", nullable=True)),
        ),
    ),
    "release": (
        "A release was published, created, edited, deleted, ...",
        _event(
            "release event",
            ("action", "release"),
            action=action(
                "What happened.",
                *("published", "created", "edited", "released", "prereleased"),
                *("unpublished", "deleted"),
            ),
            release=RELEASE,
            changes=CHANGES,
        ),
    ),
    "workflow_run": (
        "A GitHub Actions workflow run was requested, started or completed.",
        _event(
            "workflow_run event",
            ("action", "workflow_run"),
            action=action("What happened.", "requested", "in_progress", "completed"),
            workflow_run=WORKFLOW_RUN,
            workflow=WORKFLOW,
        ),
    ),
    "projects_v2_item": (
        "An item of an organization project (Projects v2) was created, edited, archived, ... "
        "(organization webhooks only).",
        _event(
            "projects_v2_item event",
            ("action", "projects_v2_item"),
            action=action(
                "What happened.",
                *("created", "edited", "deleted", "archived", "restored"),
                *("converted", "reordered"),
            ),
            projects_v2_item=PROJECT_ITEM,
            changes=obj("What an edited item changed.", field_value=FIELD_CHANGE),
        ),
    ),
    "ping": (
        "Sent once when a webhook is created, to check that it reaches its URL.",
        _event(
            "ping event",
            ("zen", "hook_id"),
            zen=string("A random line of GitHub zen."),
            hook_id=integer("Id of the webhook."),
            hook=HOOK,
        ),
    ),
}


@cache
def load_schemas() -> list[EventSchema]:
    """Every GitHub event schema with its sample (read once)."""
    return with_samples("hookgate_github", EVENTS)


__all__ = ["EVENTS", "load_schemas"]
