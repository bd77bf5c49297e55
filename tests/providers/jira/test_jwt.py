"""Delivery authentication: bearer JWTs made by PyJWT (independent of the provider's joserfc)."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hookgate import Headers, SourceContext, WebhookRequest
from hookgate.plugins import PluginManager
from hookgate.provider_hooks import ProviderHooks
from hookgate.signing import hex_signature
from hookgate_jira.settings import JiraInstallation

from tests.providers.jira.support import CLIENT_SECRET, PREVIOUS_CLIENT_SECRET, bearer

pytestmark = pytest.mark.filterwarnings("ignore:The HMAC key is")
BODY = b'{"webhookEvent":"jira:issue_created","timestamp":1,"matchedWebhookIds":[10001,10002]}'
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
REGISTERED = SourceContext(
    id="src_j",
    provider="jira",
    name="j",
    url="https://h.test/hooks/src_j/x",
    secrets=("source-secret-not-known-to-atlassian-0123",),
    connection_id="conn_1",
)
MANUAL = SourceContext(
    id="src_m",
    provider="jira",
    name="m",
    url="https://h.test/hooks/src_m/x",
    secrets=("manual-source-secret-0123456789abcdef",),
)


@pytest.fixture(scope="module")
def hooks() -> ProviderHooks:
    hooks = PluginManager(["jira"]).provider("jira")
    hooks.use_installation(
        JiraInstallation(client_secret=CLIENT_SECRET, previous_client_secret=PREVIOUS_CLIENT_SECRET)
    )
    return hooks


def _request(headers: dict[str, str], at: datetime = NOW, body: bytes = BODY) -> WebhookRequest:
    return WebhookRequest("POST", "/hooks/src_j/x", Headers(headers), body, at)


def _reason(hooks: ProviderHooks, headers: dict[str, str], at: datetime = NOW) -> str:
    result = hooks.verify_signature(REGISTERED, _request(headers, at))
    assert not result.valid
    return result.reason


def _unsigned(header: dict[str, object], claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"Bearer {part(header)}.{part(claims)}."


def test_a_jwt_signed_with_the_client_secret_verifies(hooks: ProviderHooks) -> None:
    result = hooks.verify_signature(
        REGISTERED, _request({"Authorization": bearer(CLIENT_SECRET, at=NOW)})
    )
    assert result.valid
    assert not result.unsigned


def test_the_previous_client_secret_verifies_during_a_rotation(hooks: ProviderHooks) -> None:
    headers = {"Authorization": bearer(PREVIOUS_CLIENT_SECRET, at=NOW)}
    assert hooks.verify_signature(REGISTERED, _request(headers)).valid


def test_without_the_previous_secret_it_is_refused() -> None:
    hooks = PluginManager(["jira"]).provider("jira")
    hooks.use_installation(JiraInstallation(client_secret=CLIENT_SECRET))
    headers = {"Authorization": bearer(PREVIOUS_CLIENT_SECRET, at=NOW)}
    assert "signature mismatch" in hooks.verify_signature(REGISTERED, _request(headers)).reason


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing header Authorization"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Basic scheme"),
        ({"Authorization": "Bearer not-a-jwt"}, "not a JWT"),
        ({"Authorization": bearer("a-forged-secret-0123456789abcdef", at=NOW)}, "mismatch"),
        ({"Authorization": bearer(CLIENT_SECRET, at=NOW, algorithm="HS512")}, "'HS512' is refused"),
        ({"Authorization": _unsigned({"alg": "none"}, {"exp": 2e9})}, "'none' is refused"),
    ],
)
def test_refusals_say_why(hooks: ProviderHooks, headers: dict[str, str], reason: str) -> None:
    assert reason in _reason(hooks, headers)


def test_the_url_secret_with_a_source_secret_hub_signature_is_not_enough(
    hooks: ProviderHooks,
) -> None:
    """A registered source ignores X-Hub-Signature: Atlassian never had that secret."""
    signature = "sha256=" + hex_signature("sha256", REGISTERED.secrets[0], BODY)
    assert "missing header Authorization" in _reason(hooks, {"X-Hub-Signature": signature})


def test_expired_and_not_yet_valid_jwts_are_refused_outside_60_seconds(
    hooks: ProviderHooks,
) -> None:
    expired = bearer(CLIENT_SECRET, at=NOW, exp=int((NOW - timedelta(seconds=61)).timestamp()))
    assert "expired" in _reason(hooks, {"Authorization": expired})
    late = bearer(CLIENT_SECRET, at=NOW, exp=int((NOW - timedelta(seconds=30)).timestamp()))
    assert hooks.verify_signature(REGISTERED, _request({"Authorization": late})).valid
    early = bearer(CLIENT_SECRET, at=NOW, nbf=int((NOW + timedelta(seconds=120)).timestamp()))
    assert "JWT refused" in _reason(hooks, {"Authorization": early})


def test_manual_sources_parse_the_hub_signature_method(hooks: ProviderHooks) -> None:
    secret = MANUAL.secrets[0]
    for method in ("sha256", "sha512"):
        signed = {"X-Hub-Signature": f"{method}={hex_signature(method, secret, BODY)}"}
        assert hooks.verify_signature(MANUAL, _request(signed)).valid, method
    weak = {"X-Hub-Signature": "sha1=" + hex_signature("sha1", secret, BODY)}
    assert "'sha1' is not accepted" in hooks.verify_signature(MANUAL, _request(weak)).reason
    jwt_only = {"Authorization": bearer(CLIENT_SECRET, at=NOW)}
    assert (
        "missing header X-Hub-Signature"
        in hooks.verify_signature(MANUAL, _request(jwt_only)).reason
    )


def test_identity_and_metadata(hooks: ProviderHooks) -> None:
    headers = {
        "X-Atlassian-Webhook-Identifier": "d-1",
        "X-Atlassian-Webhook-Retry": "2",
        "X-Atlassian-Webhook-Flow": "Secondary",
        "X-Atlassian-Webhook-Trace": "trace-9",
        "Authorization": bearer(CLIENT_SECRET, at=NOW),
    }
    identity = hooks.identify_event(REGISTERED, _request(headers))
    assert (identity.event_type, identity.delivery_id) == ("jira:issue_created", "d-1")
    assert dict(identity.metadata) == {
        "retry": "2",
        "flow": "Secondary",
        "trace": "trace-9",
        "matched_webhook_ids": "10001,10002",
    }
    assert "authorization" not in hooks.provider_info().kept_headers


def test_secondary_flow_is_ignored_when_the_source_says_so(hooks: ProviderHooks) -> None:
    headers = {"X-Atlassian-Webhook-Identifier": "d-2", "X-Atlassian-Webhook-Flow": "Secondary"}
    kept = hooks.identify_event(REGISTERED, _request(headers))
    assert not kept.ignore
    quiet = replace(REGISTERED, config={"include_secondary": False})
    dropped = hooks.identify_event(quiet, _request(headers))
    assert dropped.ignore
    assert "Secondary" in dropped.ignore_reason
    primary = {**headers, "X-Atlassian-Webhook-Flow": "Primary"}
    assert not hooks.identify_event(quiet, _request(primary)).ignore
