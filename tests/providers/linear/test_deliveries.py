"""Linear deliveries: signatures made by Node's crypto (as Linear's SDK does), freshness, names."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hookgate import Headers, SourceContext, WebhookRequest
from hookgate.plugins import PluginManager
from hookgate.provider_hooks import ProviderHooks

SECRET = "lin_wh_test_secret_0123456789abcdef0123"


@pytest.fixture(scope="module")
def hooks() -> ProviderHooks:
    return PluginManager(["linear"]).provider("linear")


SOURCE = SourceContext("src_lin", "linear", "linear", "https://hookgate.test/hooks/src_lin/u")


def source(config: dict[str, Any] | None = None, events: tuple[str, ...] = ()) -> SourceContext:
    return replace(SOURCE, secrets=(SECRET,), config=config or {}, events=events)


def body(sent_ms: float, action: str = "update", kind: str = "Issue") -> bytes:
    payload = {"action": action, "type": kind, "data": {"id": "i-1", "title": "Fix checkout"}}
    return json.dumps({**payload, "webhookTimestamp": int(sent_ms)}).encode()


def node_signature(raw: bytes) -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: it signs the way Linear's SDK does")
    script = (
        "const c=require('crypto');let b=[];process.stdin.on('data',d=>b.push(d));"
        "process.stdin.on('end',()=>process.stdout.write("
        "c.createHmac('sha256',process.argv[1]).update(Buffer.concat(b)).digest('hex')))"
    )
    done = subprocess.run([node, "-e", script, SECRET], input=raw, capture_output=True, check=True)
    return done.stdout.decode()


def request(raw: bytes, headers: dict[str, str], received: float | None = None) -> WebhookRequest:
    at = datetime.fromtimestamp(received if received is not None else time.time(), UTC)
    return WebhookRequest("POST", "/hooks/src_lin/u", Headers(headers), raw, at)


def test_a_delivery_signed_as_linear_signs_it_verifies(hooks: ProviderHooks) -> None:
    raw = body(time.time() * 1000)
    result = hooks.verify_signature(
        source(), request(raw, {"Linear-Signature": node_signature(raw)})
    )
    assert result.valid, result.reason


def test_a_stale_webhook_timestamp_is_rejected(hooks: ProviderHooks) -> None:
    raw = body((time.time() - 120) * 1000)
    signed = {"Linear-Signature": node_signature(raw)}
    result = hooks.verify_signature(source(), request(raw, signed))
    assert (result.valid, result.reason) == (False, "timestamp outside tolerance")
    wider = source({"tolerance_seconds": 300})
    assert hooks.verify_signature(wider, request(raw, signed)).valid


def test_the_timestamp_header_wins_over_the_body_field(hooks: ProviderHooks) -> None:
    raw = body((time.time() - 600) * 1000)
    fresh = str(int(time.time() * 1000))
    headers = {"Linear-Signature": node_signature(raw), "Linear-Timestamp": fresh}
    assert hooks.verify_signature(source(), request(raw, headers)).valid


def test_a_delivery_without_any_timestamp_is_rejected(hooks: ProviderHooks) -> None:
    raw = b'{"action":"create","type":"Issue","data":{"id":"i-1"}}'
    result = hooks.verify_signature(
        source(), request(raw, {"Linear-Signature": node_signature(raw)})
    )
    assert not result.valid
    assert "webhookTimestamp" in result.reason


def test_a_mismatch_is_checked_before_the_body_is_read(hooks: ProviderHooks) -> None:
    result = hooks.verify_signature(source(), request(b"not json", {"Linear-Signature": "00" * 32}))
    assert (result.valid, result.reason) == (False, "signature mismatch")


@pytest.mark.parametrize(
    ("kind", "action", "expected"),
    [
        ("Issue", "create", "Issue.create"),
        ("Comment", "update", "Comment.update"),
        ("Cycle", "remove", "Cycle.remove"),
    ],
)
def test_the_event_type_is_type_dot_action(
    hooks: ProviderHooks, kind: str, action: str, expected: str
) -> None:
    headers = {"Linear-Delivery": "d-1", "Linear-Event": kind}
    identity = hooks.identify_event(source(), request(body(0, action, kind), headers))
    assert (identity.event_type, identity.delivery_id) == (expected, "d-1")


def test_a_body_without_type_and_action_is_malformed(hooks: ProviderHooks) -> None:
    with pytest.raises(ValueError, match="no type and action"):
        hooks.identify_event(source(), request(b'{"type": "Issue"}', {}))


def test_every_documented_event_has_a_schema(hooks: ProviderHooks) -> None:
    names = {s.event_type for s in hooks.event_schemas()}
    kinds = ("Issue", "Comment", "Project", "Cycle")
    assert names == {f"{k}.{a}" for k in kinds for a in ("create", "update", "remove")}


def test_setup_instructions_name_the_resource_types(hooks: ProviderHooks) -> None:
    text = hooks.setup_instructions(source(events=("Issue.create", "Comment.create")))
    assert text is not None
    assert "URL: https://hookgate.test/hooks/src_lin/u" in text
    assert "Resource types: Comment, Issue" in text
