"""Deliveries: Zendesk's signature against an independent signer, refusals, event identity."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hmac import HMAC
from hookgate import Headers, SourceContext, WebhookRequest
from hookgate.provider_hooks import ProviderHooks

# Zendesk's public test-request secret and a vector recomputed in provider-api-facts §7.2
# (it matches a third-party suite's vector).
TEST_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
VECTOR_STAMP = "2021-03-25T05:09:27Z"
VECTOR_BODY = b'{"event":"ticket.updated","id":123}'
VECTOR_SIGNATURE = "S/RDdU2ERmj7LHDDoWJ2onPYH+t7/f2+LTM4dL7UiLM="
VECTOR_TIME = datetime(2021, 3, 25, 5, 9, 30, tzinfo=UTC)
BODY = json.dumps({"type": "zen:event-type:ticket.created", "id": "ev-1", "detail": {}}).encode()


def zendesk_sign(secret: str, stamp: str, body: bytes) -> str:
    """An independent signer (cryptography's HMAC, not hookgate.signing)."""
    mac = HMAC(secret.encode(), hashes.SHA256())
    mac.update(stamp.encode() + body)
    return base64.b64encode(mac.finalize()).decode()


def request(
    body: bytes, headers: dict[str, str], received_at: datetime | None = None
) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        path="/hooks/src_zd/urlsecret",
        headers=Headers({"Content-Type": "application/json", **headers}),
        body=body,
        received_at=received_at or datetime.now(UTC),
    )


def signed(secret: str, body: bytes = BODY, when: datetime | None = None) -> dict[str, str]:
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "X-Zendesk-Webhook-Signature": zendesk_sign(secret, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


def test_independent_signer_matches_the_documented_vector() -> None:
    assert zendesk_sign(TEST_SECRET, VECTOR_STAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_delivery_signed_by_the_independent_signer_verifies(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    assert hooks.verify_signature(source, request(BODY, signed(source.secrets[0]))).valid


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("wrong secret", "signature mismatch"),
        ("tampered body", "signature mismatch"),
        ("stale timestamp", "outside the 3600 s tolerance"),
        ("no signature", "missing header"),
        ("not ISO", "not an ISO 8601 time"),
    ],
)
def test_refusals(hooks: ProviderHooks, source: SourceContext, change: str, reason: str) -> None:
    secret = "another-secret-0123456789abcdef" if change == "wrong secret" else source.secrets[0]
    when = datetime.now(UTC) - timedelta(hours=2) if change == "stale timestamp" else None
    headers = signed(secret, when=when)
    body = BODY.replace(b"ev-1", b"ev-2") if change == "tampered body" else BODY
    if change == "no signature":
        del headers["X-Zendesk-Webhook-Signature"]
    if change == "not ISO":
        headers["X-Zendesk-Webhook-Signature-Timestamp"] = "yesterday"
    verdict = hooks.verify_signature(source, request(body, headers))
    assert not verdict.valid
    assert reason in verdict.reason


def test_public_test_secret_is_refused_unless_opted_in(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    headers = {
        "X-Zendesk-Webhook-Signature": VECTOR_SIGNATURE,
        "X-Zendesk-Webhook-Signature-Timestamp": VECTOR_STAMP,
    }
    refused = hooks.verify_signature(source, request(VECTOR_BODY, headers, VECTOR_TIME))
    assert not refused.valid
    assert "public test secret" in refused.reason
    # Even a source whose stored secret is the test secret does not accept it...
    stored = replace(source, secrets=(TEST_SECRET,))
    assert not hooks.verify_signature(stored, request(VECTOR_BODY, headers, VECTOR_TIME)).valid
    # ...only one that opts in for setting up.
    opted = replace(source, config={"accept_test_requests": True})
    assert hooks.verify_signature(opted, request(VECTOR_BODY, headers, VECTOR_TIME)).valid


def test_public_test_secret_cannot_be_a_source_secret(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    with pytest.raises(ValueError, match="public test secret"):
        hooks.signing_key(source, TEST_SECRET)


def test_tolerance_is_a_setting(hooks: ProviderHooks, source: SourceContext) -> None:
    old = signed(source.secrets[0], when=datetime.now(UTC) - timedelta(minutes=10))
    assert hooks.verify_signature(source, request(BODY, old)).valid  # default: 1 h
    strict = replace(source, config={"tolerance_seconds": 300})
    assert not hooks.verify_signature(strict, request(BODY, old)).valid


def test_previous_secret_keeps_verifying(hooks: ProviderHooks, source: SourceContext) -> None:
    rotated = replace(source, secrets=("new-secret-0123456789abcdef-012", source.secrets[0]))
    assert hooks.verify_signature(rotated, request(BODY, signed(source.secrets[0]))).valid


def test_sign_payload_is_what_zendesk_sends(hooks: ProviderHooks, source: SourceContext) -> None:
    when = datetime(2026, 5, 14, 10, 12, 41, 512000, tzinfo=UTC)
    assert dict(hooks.sign_payload(source, BODY, when)) == signed(source.secrets[0], when=when)


def test_invocation_id_is_the_delivery_id_and_headers_are_metadata(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    headers = {
        "X-Zendesk-Webhook-Invocation-Id": "8350205582",
        "X-Zendesk-Webhook-Id": "01F1KRFQ6BG29CNWFR60NK5FNY",
        "X-Zendesk-Account-Id": "123456",
    }
    identity = hooks.identify_event(source, request(BODY, headers))
    assert identity.event_type == "zen:event-type:ticket.created"
    assert identity.delivery_id == "8350205582"
    assert identity.metadata == {
        "webhook_id": "01F1KRFQ6BG29CNWFR60NK5FNY",
        "account_id": "123456",
        "event_id": "ev-1",
    }
    info = hooks.provider_info()
    assert {"x-zendesk-webhook-id", "x-zendesk-account-id"} <= set(info.kept_headers)


def test_trigger_body_without_type_is_malformed_by_default(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    body = json.dumps({"ticket": {"id": 35436, "event": "escalated"}}).encode()
    with pytest.raises(ValueError, match="event_type_field"):
        hooks.identify_event(source, request(body, {}))


def test_trigger_body_event_type_from_a_configured_field(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    body = json.dumps({"ticket": {"id": 35436, "event": "escalated"}}).encode()
    manual = replace(source, config={"event_type_field": "ticket.event"})
    headers = {"X-Zendesk-Webhook-Invocation-Id": "77"}
    identity = hooks.identify_event(manual, request(body, headers))
    assert (identity.event_type, identity.delivery_id) == ("escalated", "77")


def test_trigger_body_event_type_from_a_configured_header(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    manual = replace(source, config={"event_type_header": "X-Event-Type"})
    headers = {"X-Event-Type": "ticket.escalated"}
    assert hooks.identify_event(manual, request(b"[1, 2]", headers)).event_type == (
        "ticket.escalated"
    )
    with pytest.raises(ValueError, match="X-Event-Type"):
        hooks.identify_event(manual, request(b"{}", {}))
