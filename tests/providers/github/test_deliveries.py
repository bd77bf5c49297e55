"""Deliveries: X-Hub-Signature-256 against independent signers, event identity, handshakes."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from githubkit.webhooks import sign as githubkit_sign
from hookgate import Headers, SourceContext, WebhookRequest
from hookgate.payloads import parse_payload
from hookgate.provider_hooks import ProviderHooks

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "github"
# GitHub's documented test vector (docs: "Validating webhook deliveries").
VECTOR_SECRET = "It's a Secret to Everybody"
VECTOR_BODY = b"Hello, World!"
VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def request(
    body: bytes, headers: dict[str, str], content_type: str = "application/json"
) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        path="/hooks/src_gh/urlsecret",
        headers=Headers({"Content-Type": content_type, **headers}),
        body=body,
        received_at=datetime.now(UTC),
        content_type=content_type,
    )


def test_documented_test_vector_verifies(hooks: ProviderHooks, source: SourceContext) -> None:
    vector = replace(source, secrets=(VECTOR_SECRET,))
    headers = {"X-Hub-Signature-256": VECTOR_SIGNATURE}
    assert hooks.verify_signature(vector, request(VECTOR_BODY, headers)).valid
    assert hooks.sign_payload(vector, VECTOR_BODY, datetime.now(UTC)) == headers


def test_githubkit_agrees_with_the_test_vector() -> None:
    """githubkit is an independent signer: check it against GitHub's vector first."""
    assert githubkit_sign(VECTOR_SECRET, VECTOR_BODY) == VECTOR_SIGNATURE


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_fixtures_signed_by_githubkit_verify(
    hooks: ProviderHooks, source: SourceContext, fixture: str
) -> None:
    body = json.dumps(json.loads((FIXTURES / fixture).read_bytes()), separators=(",", ":"))
    raw = body.encode()
    headers = {"X-Hub-Signature-256": githubkit_sign(source.secrets[0], raw)}
    assert hooks.verify_signature(source, request(raw, headers)).valid
    tampered = raw.replace(b'"', b" ", 1)
    assert hooks.verify_signature(source, request(tampered, headers)).reason.startswith(
        "signature mismatch"
    )


def test_form_encoded_delivery_is_verified_over_the_form_bytes(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    payload = (FIXTURES / "issues.opened.json").read_text()
    form = urlencode({"payload": payload}).encode()
    digest = hmac.new(source.secrets[0].encode(), form, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": f"sha256={digest}", "X-GitHub-Event": "issues"}
    delivery = request(form, headers, "application/x-www-form-urlencoded")
    assert hooks.verify_signature(source, delivery).valid
    assert hooks.identify_event(source, delivery).event_type == "issues"
    assert parse_payload(form, "application/x-www-form-urlencoded") == json.loads(payload)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing header X-Hub-Signature-256"),
        ({"X-Hub-Signature": "sha1=abc"}, "missing header X-Hub-Signature-256"),
        ({"X-Hub-Signature-256": "757107ea"}, "X-Hub-Signature-256 must start with 'sha256='"),
        ({"X-Hub-Signature-256": "sha256=not-hex"}, "signature mismatch"),
    ],
)
def test_bad_signatures_say_what_is_wrong(
    hooks: ProviderHooks, source: SourceContext, headers: dict[str, str], reason: str
) -> None:
    result = hooks.verify_signature(source, request(b"{}", headers))
    assert not result.valid
    assert result.reason.startswith(reason)
    assert source.secrets[0] not in result.reason


def test_identity_from_headers(hooks: ProviderHooks, source: SourceContext) -> None:
    headers = {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "X-GitHub-Hook-ID": "292430182",
        "X-GitHub-Hook-Installation-Target-Type": "repository",
        "X-GitHub-Hook-Installation-Target-ID": "79929171",
    }
    identity = hooks.identify_event(source, request(b"{}", headers))
    assert identity.event_type == "pull_request"
    assert identity.delivery_id == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert not identity.handshake
    assert dict(identity.metadata) == {
        "hook_id": "292430182",
        "target_type": "repository",
        "target_id": "79929171",
    }


def test_ping_is_a_handshake(hooks: ProviderHooks, source: SourceContext) -> None:
    body = (FIXTURES / "ping.json").read_bytes()
    headers = {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1", "X-GitHub-Hook-ID": "30"}
    identity = hooks.identify_event(source, request(body, headers))
    assert identity.handshake
    assert identity.metadata["hook_id"] == "30"


def test_delivery_without_event_header_is_malformed(
    hooks: ProviderHooks, source: SourceContext
) -> None:
    with pytest.raises(ValueError, match="missing header X-GitHub-Event"):
        hooks.identify_event(source, request(b"{}", {"X-GitHub-Delivery": "d-1"}))


def test_kept_headers_include_the_hook_id(hooks: ProviderHooks) -> None:
    kept = hooks.provider_info().kept_headers
    assert {"x-github-event", "x-github-delivery", "x-github-hook-id"} <= set(kept)
