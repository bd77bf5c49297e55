"""The values that cross the provider contract: behaviour a provider author relies on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hookgate import Headers, ProviderAPIError, WebhookRequest


def _request(body: bytes, content_type: str = "application/json") -> WebhookRequest:
    return WebhookRequest("POST", "/hooks/a/b", Headers(), body, datetime.now(UTC), content_type)


def test_json_is_parsed_once_per_delivery() -> None:
    request = _request(b'{"action": "opened", "n": [1, 2]}')
    first = request.json()
    assert first == {"action": "opened", "n": [1, 2]}
    assert request.json() is first  # every hook that asks gets the same document


def test_json_of_a_form_delivery_is_its_payload_field() -> None:
    request = _request(b"payload=%7B%22a%22%3A1%7D", "application/x-www-form-urlencoded")
    assert request.json() == {"a": 1}


def test_json_null_is_a_document_too() -> None:
    assert _request(b"null").json() is None


def test_malformed_json_raises_value_error_every_time() -> None:
    request = _request(b'{"a": ')
    for _ in range(2):
        with pytest.raises(ValueError, match="line 1 column"):
            request.json()


def test_requests_compare_by_what_was_received_not_by_parse_state() -> None:
    parsed, fresh = _request(b"{}"), _request(b"{}")
    parsed.json()
    assert parsed == WebhookRequest(
        fresh.method, fresh.path, fresh.headers, fresh.body, parsed.received_at
    )


def test_provider_api_error_carries_retry_after() -> None:
    error = ProviderAPIError("slow down", status=429, retry_after=2.5)
    assert (error.status, error.retryable, error.retry_after) == (429, True, 2.5)
    plain = ProviderAPIError("no admin rights on web", status=403)
    assert (plain.retryable, plain.retry_after) == (False, None)
    assert "retry_after=2.5" in repr(error)
