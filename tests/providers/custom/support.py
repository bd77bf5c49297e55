"""Builders shared by the custom provider's tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hookgate import Headers, SourceContext, Verification, WebhookRequest
from hookgate_custom import sign_payload, verify_signature

SECRET = "test-secret-0123456789abcdef-0123456789"
NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
BODY = b'{"type": "order.paid", "id": "evt_1", "data": {"items": [{"sku": "A-1"}]}}'


def source(config: Mapping[str, Any], secrets: tuple[str, ...] = (SECRET,)) -> SourceContext:
    return SourceContext(
        id="src_test",
        provider="custom",
        name="test",
        url="https://hookgate.test/hooks/src_test/urlsecret",
        secrets=secrets,
        config=dict(config),
    )


def request(body: bytes, headers: Mapping[str, str], received_at: datetime = NOW) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        path="/hooks/src_test/urlsecret",
        headers=Headers({"Content-Type": "application/json", **headers}),
        body=body,
        received_at=received_at,
    )


def signed(src: SourceContext, body: bytes = BODY, at: datetime = NOW) -> dict[str, str]:
    return dict(sign_payload(src, body, at))


def verify(
    src: SourceContext, body: bytes, headers: Mapping[str, str], at: datetime = NOW
) -> Verification:
    return verify_signature(src, request(body, headers, at))


#: One configuration per signature format (and per way of carrying a timestamp).
FORMAT_CONFIGS: dict[str, dict[str, Any]] = {
    "prefixed-hex": {"signature_format": "prefixed-hex"},
    "hex": {"signature_format": "hex"},
    "base64": {"signature_format": "base64"},
    "auto": {"signature_format": "auto"},
    "hex-prefix-timestamp-header": {
        "signature_format": "hex",
        "signature_prefix": "v0=",
        "timestamp_header": "X-Timestamp",
        "signed_content": "v0:{timestamp}:{body}",
    },
    "base64-timestamp-header": {
        "signature_format": "base64",
        "timestamp_header": "X-Timestamp",
        "signed_content": "{timestamp}{body}",
    },
    "key-value-list": {
        "signature_format": "hex",
        "signature_key": "v1",
        "timestamp_key": "t",
        "signed_content": "{timestamp}.{body}",
    },
    "standard-webhooks": {"signature_format": "standard-webhooks"},
}

ALGORITHMS = ("sha1", "sha256", "sha512")


def format_cases() -> list[tuple[str, dict[str, Any]]]:
    """(id, config) for every format and every algorithm it allows."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for name, config in FORMAT_CONFIGS.items():
        allowed = ("sha256",) if name == "standard-webhooks" else ALGORITHMS
        cases.extend((f"{name}-{alg}", {**config, "algorithm": alg}) for alg in allowed)
    return cases


def timestamped(config: Mapping[str, Any]) -> bool:
    from hookgate_custom import CustomSettings

    return CustomSettings.model_validate(config).uses_timestamp
