"""The GitHub provider's hook implementations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from hookgate import (
    EventIdentity,
    EventSchema,
    ProviderInfo,
    SourceContext,
    Verification,
    WebhookRequest,
    hookimpl,
)
from hookgate.signing import decode_hex, hex_signature, matches_any

from hookgate_github.schemas import load_schemas

SIGNATURE_HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="github",
        title="GitHub",
        description="Repository and organization webhooks from GitHub.com or GitHub Enterprise.",
        needs_oauth=False,
        docs_url="https://docs.github.com/en/webhooks",
        kept_headers=(
            "x-github-event",
            "x-github-delivery",
            "x-github-hook-id",
            "x-hub-signature-256",
            "user-agent",
        ),
    )


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    return load_schemas()


@hookimpl
def verify_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    value = request.headers.get(SIGNATURE_HEADER)
    if value is None:
        return Verification.fail(f"missing header {SIGNATURE_HEADER}")
    if not value.startswith(PREFIX):
        return Verification.fail(f"{SIGNATURE_HEADER} must start with {PREFIX!r}")
    given = decode_hex(value[len(PREFIX) :])
    if not matches_any("sha256", source.secrets, request.body, given):
        return Verification.fail("signature mismatch")
    return Verification.ok()


@hookimpl
def identify_event(request: WebhookRequest) -> EventIdentity:
    event = request.headers.get("X-GitHub-Event")
    if not event:
        raise ValueError("missing header X-GitHub-Event: is this a GitHub webhook delivery?")
    metadata = {}
    if hook_id := request.headers.get("X-GitHub-Hook-ID"):
        metadata["hook_id"] = hook_id
    return EventIdentity(
        event_type=event,
        delivery_id=request.headers.get("X-GitHub-Delivery"),
        handshake=event == "ping",
        metadata=metadata,
    )


@hookimpl
def sign_payload(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    del timestamp  # GitHub's scheme carries no timestamp
    return {SIGNATURE_HEADER: PREFIX + hex_signature("sha256", source.secrets[0], body)}
