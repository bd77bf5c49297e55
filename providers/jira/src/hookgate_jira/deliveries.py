"""Jira deliveries: who signed them, what they are.

Two kinds of sources, told apart by whether hookgate registered the webhook:

- **registered** (``source.connection_id`` set): dynamic webhooks of the OAuth
  app, authenticated by ``Authorization: Bearer <JWT>`` signed with the app's
  client secret (:mod:`hookgate_jira.jwt_auth`). The source's own secret is
  never sent to Atlassian, so it proves nothing here.
- **manual** (an admin webhook made in Jira's settings with the source's
  secret): ``X-Hub-Signature: <method>=<hex HMAC of the raw body>``. Atlassian
  warns the method may change, so it is parsed, not assumed.

Either way the URL secret alone is never enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hookgate import EventIdentity, SourceContext, Verification, WebhookRequest
from hookgate.signing import Algorithm, canonical_hex, hex_signature, matches_any
from pydantic import BaseModel, Field

from hookgate_jira import jwt_auth
from hookgate_jira.settings import JiraInstallation

SIGNATURE_HEADER = "X-Hub-Signature"
DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
#: ``X-Hub-Signature`` methods accepted (WebSub names); SHA-1 is too weak to trust.
HUB_METHODS: dict[str, Algorithm] = {"sha256": "sha256", "sha512": "sha512"}
#: Delivery headers worth keeping with the event, and the metadata key of each.
METADATA_HEADERS = {
    "x-atlassian-webhook-retry": "retry",
    "x-atlassian-webhook-flow": "flow",
    "x-atlassian-webhook-trace": "trace",
}


def _installation(installation: BaseModel | None) -> JiraInstallation:
    if isinstance(installation, JiraInstallation):
        return installation
    return JiraInstallation()


def verify(
    source: SourceContext, request: WebhookRequest, installation: BaseModel | None
) -> Verification:
    if source.connection_id is not None:
        secrets = _installation(installation).jwt_secrets()
        return jwt_auth.verify(request.headers.get("Authorization"), secrets, request.received_at)
    return verify_hub_signature(source, request)


def verify_hub_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    value = request.headers.get(SIGNATURE_HEADER)
    if value is None:
        return Verification.fail(
            f"missing header {SIGNATURE_HEADER}: give the admin webhook the source's secret"
        )
    method, sep, digest = value.strip().partition("=")
    if not sep:
        return Verification.fail(f"{SIGNATURE_HEADER} must be <method>=<hex signature>")
    algorithm = HUB_METHODS.get(method.lower())
    if algorithm is None:
        return Verification.fail(
            f"{SIGNATURE_HEADER} method {method!r} is not accepted: use one of "
            f"{', '.join(HUB_METHODS)}"
        )
    if not matches_any(algorithm, source.secrets, request.body, canonical_hex(digest)):
        return Verification.fail("signature mismatch")
    return Verification.ok()


class JiraSourceSettings(BaseModel, extra="forbid", frozen=True):
    """Per-source settings of a Jira source."""

    include_secondary: bool = Field(
        default=True,
        description="Keep deliveries of Jira's Secondary flow (knock-on events of a bulk "
        "change, such as the comment_deleted events after an issue is deleted, up to 15 "
        "minutes later); false stores them as ignored.",
    )


def identify(source: SourceContext, request: WebhookRequest) -> EventIdentity:
    body = request.json()  # parsed once per delivery; ValueError: malformed (400)
    event = body.get("webhookEvent") if isinstance(body, dict) else None
    if not isinstance(event, str) or not event:
        raise ValueError("body has no webhookEvent: is this a Jira webhook delivery?")
    metadata = _metadata(request, body)
    secondary = metadata.get("flow", "").lower() == "secondary"
    ignore = secondary and not JiraSourceSettings.model_validate(source.config).include_secondary
    return EventIdentity(
        event_type=event,
        delivery_id=request.headers.get(DELIVERY_HEADER),
        metadata=metadata,
        ignore=ignore,
        ignore_reason="a Secondary-flow delivery and include_secondary is false" if ignore else "",
    )


def _metadata(request: WebhookRequest, body: dict[str, Any]) -> dict[str, str]:
    found = {
        key: value
        for header, key in METADATA_HEADERS.items()
        if (value := request.headers.get(header)) is not None
    }
    matched = body.get("matchedWebhookIds")
    if isinstance(matched, list) and matched:
        # The registered webhooks that matched: the link from a delivery to RemoteHook ids.
        found["matched_webhook_ids"] = ",".join(str(i) for i in matched[:20])
    return found


def sign(
    source: SourceContext, body: bytes, timestamp: datetime, installation: BaseModel | None
) -> Mapping[str, str]:
    if source.connection_id is not None:
        secrets = _installation(installation).jwt_secrets()
        if not secrets:
            raise ValueError(
                "set HOOKGATE_JIRA_CLIENT_SECRET: registered Jira sources are signed with it"
            )
        return {"Authorization": f"Bearer {jwt_auth.mint(secrets[0], timestamp)}"}
    return {SIGNATURE_HEADER: "sha256=" + hex_signature("sha256", source.secrets[0], body)}


__all__ = ["DELIVERY_HEADER", "SIGNATURE_HEADER", "identify", "sign", "verify"]
