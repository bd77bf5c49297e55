"""Manual mode: the settings an admin pastes into GitHub's "Add webhook" page."""

from __future__ import annotations

from hookgate import SourceContext

#: The names GitHub's webhook page shows next to each event's checkbox.
EVENT_LABELS = {
    "issue_comment": "Issue comments",
    "issues": "Issues",
    "ping": "(sent automatically)",
    "projects_v2_item": "Project v2 items",
    "pull_request": "Pull requests",
    "pull_request_review": "Pull request reviews",
    "push": "Pushes",
    "release": "Releases",
    "workflow_run": "Workflow runs",
}


def _events(source: SourceContext) -> list[str]:
    wanted = [e for e in source.events if e != "ping"]
    if not wanted:
        return ['"Send me everything."']
    lines = ['"Let me select individual events.", then tick only:']
    lines += [f"    - {EVENT_LABELS.get(e, e)} ({e})" for e in wanted]
    return lines


def instructions(source: SourceContext) -> str:
    """Plain text, one setting per line, in the order GitHub's form asks for them."""
    secret = source.secrets[0] if source.secrets else "(this source has no secret: rotate it)"
    events = _events(source)
    lines = [
        "In GitHub, open the repository or organization → Settings → Webhooks → Add webhook,",
        "and fill in:",
        f"  Payload URL:       {source.url}",
        "  Content type:      application/json",
        f"  Secret:            {secret}",
        "  SSL verification:  Enable SSL verification",
        f"  Which events:      {events[0]}",
        *events[1:],
        "  Active:            ticked",
        'Then click "Add webhook". GitHub sends a ping at once; when it arrives, hookgate marks',
        "the source verified. Recent Deliveries on the same page shows GitHub's side.",
    ]
    return "\n".join(lines)


__all__ = ["EVENT_LABELS", "instructions"]
