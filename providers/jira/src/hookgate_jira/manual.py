"""Manual mode: an admin webhook made by hand in Jira, signed with the source's secret."""

from __future__ import annotations

from hookgate import SourceContext


def instructions(source: SourceContext) -> str | None:
    if source.connection_id is not None:
        return None  # hookgate registers it
    secret = source.secrets[0] if source.secrets else "(the source's signing secret)"
    events = ", ".join(source.events) or "the issue and comment events you need"
    return "\n".join(
        [
            "In Jira: Settings (cog) → System → WebHooks → Create a WebHook (Jira admins only).",
            f"URL:    {source.url}",
            f"Secret: {secret}",
            f"Events: {events}",
            "JQL:    optional, e.g. project = PROJ, to limit which issues send events.",
            "Jira signs each delivery with X-Hub-Signature: sha256=<hex>; hookgate checks it.",
        ]
    )
