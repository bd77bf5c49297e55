"""Incoming deliveries: GitHub's signature, event name, delivery id and hook id.

GitHub signs the raw request body with HMAC-SHA256 under the webhook's secret
and sends ``X-Hub-Signature-256: sha256=<hex>``. For ``content_type: form``
hooks the body is ``payload=<url-encoded JSON>`` and the signature covers
those form bytes, so verification never looks inside the body. Runs inside
the HTTP request: no network, no parsing beyond headers.
"""

from __future__ import annotations

from hookgate import EventIdentity, SourceContext, Verification, WebhookRequest
from hookgate.signing import canonical_hex, hex_signature, matches_any

SIGNATURE_HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
#: Kept with the event as ``hookgate.<key>`` metadata: which GitHub hook sent it, from where.
METADATA_HEADERS = {
    "hook_id": "X-GitHub-Hook-ID",
    "target_type": "X-GitHub-Hook-Installation-Target-Type",
    "target_id": "X-GitHub-Hook-Installation-Target-ID",
}


def verify(source: SourceContext, request: WebhookRequest) -> Verification:
    value = request.headers.get(SIGNATURE_HEADER)
    if value is None:
        # GitHub leaves the header out when the webhook has no secret set.
        return Verification.fail(
            f"missing header {SIGNATURE_HEADER}: set the GitHub webhook's Secret to the "
            "source's signing secret"
        )
    if not value.startswith(PREFIX):
        return Verification.fail(f"{SIGNATURE_HEADER} must start with {PREFIX!r}")
    given = canonical_hex(value[len(PREFIX) :])
    if not matches_any("sha256", source.secrets, request.body, given):
        return Verification.fail("signature mismatch: is the webhook's Secret the source's?")
    return Verification.ok()


def identify(request: WebhookRequest) -> EventIdentity:
    event = request.headers.get(EVENT_HEADER, "").strip()
    if not event:
        raise ValueError(f"missing header {EVENT_HEADER}: is this a GitHub webhook delivery?")
    metadata = {
        key: request.headers[header]
        for key, header in METADATA_HEADERS.items()
        if request.headers.get(header)
    }
    return EventIdentity(
        event_type=event,
        # Redeliveries keep the id, so they deduplicate.
        delivery_id=request.headers.get(DELIVERY_HEADER) or None,
        # GitHub pings a hook when it is created: it proves the URL and secret work.
        handshake=event == "ping",
        metadata=metadata,
    )


def sign(source: SourceContext, body: bytes) -> dict[str, str]:
    return {SIGNATURE_HEADER: PREFIX + hex_signature("sha256", source.secrets[0], body)}


__all__ = ["DELIVERY_HEADER", "EVENT_HEADER", "SIGNATURE_HEADER", "identify", "sign", "verify"]
