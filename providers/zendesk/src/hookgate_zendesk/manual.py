"""Manual mode: a webhook made by hand in Zendesk Admin Center, its secret given to hookgate."""

from __future__ import annotations

from hookgate import SourceContext


def instructions(source: SourceContext) -> str | None:
    if source.connection_id is not None:
        return None  # hookgate registers it and reads its secret
    events = ", ".join(source.events) or "the ticket, user or organization events you need"
    return "\n".join(
        [
            "In Zendesk: Admin Center → Apps and integrations → Webhooks → Create webhook.",
            f"Connect to: Zendesk events ({events}), or a trigger/automation.",
            f"Endpoint URL: {source.url}",
            "Request method: POST    Request format: JSON",
            "Zendesk issues the signing secret itself (Reveal secret on the webhook's page).",
            "hookgate verifies with the source's secret: create the source with",
            "--secret <that secret>, then set the webhook's endpoint to the source URL.",
            "Trigger webhooks send your own JSON body: include the event type in it (the",
            "source's event_type_field, default 'type') or set event_type_header.",
        ]
    )
