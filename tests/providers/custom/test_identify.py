"""Event type and delivery id of custom sources."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hookgate import EventIdentity
from hookgate_custom import identify_event
from hookgate_custom.identify import MISSING, value_at

from tests.providers.custom.support import BODY, request, source

DOC = {"type": "a", "data": {"items": [{"sku": "A-1"}, {"sku": "B-2"}], "n": 7}, "nil": None}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("type", "a"),
        ("data.items.1.sku", "B-2"),
        ("data.n", 7),
        ("nil", None),
        ("data.items.2.sku", MISSING),
        ("data.items.x", MISSING),
        ("data.items.-1", MISSING),
        ("type.deeper", MISSING),
        ("nope", MISSING),
    ],
)
def test_value_at(path: str, expected: Any) -> None:
    found = value_at(DOC, path)
    assert found is expected or found == expected


def _identify(
    config: dict[str, Any], body: bytes = BODY, headers: dict[str, str] | None = None
) -> EventIdentity:
    return identify_event(source(config), request(body, headers or {}))


def test_without_settings_the_type_is_webhook_and_there_is_no_delivery_id() -> None:
    identity = _identify({})
    assert identity.event_type == "webhook"
    # None makes core deduplicate on a hash of the body within HOOKGATE_DEDUP_WINDOW.
    assert identity.delivery_id is None


def test_from_headers() -> None:
    config = {"event_type_header": "X-Event", "delivery_id_header": "X-Delivery"}
    identity = _identify(config, headers={"x-event": "order.paid", "X-DELIVERY": "d-1"})
    assert (identity.event_type, identity.delivery_id) == ("order.paid", "d-1")


def test_from_body_fields_with_array_indexes() -> None:
    config = {"event_type_field": "data.items.0.sku", "delivery_id_field": "id"}
    identity = _identify(config)
    assert (identity.event_type, identity.delivery_id) == ("A-1", "evt_1")


def test_integer_ids_become_text_but_booleans_and_objects_do_not() -> None:
    config = {"event_type_field": "kind", "delivery_id_field": "id"}
    assert _identify(config, json.dumps({"kind": "k", "id": 42}).encode()).delivery_id == "42"
    assert _identify(config, json.dumps({"kind": "k", "id": True}).encode()).delivery_id is None
    assert _identify(config, json.dumps({"kind": "k", "id": {}}).encode()).delivery_id is None


def test_a_missing_event_type_header_is_named() -> None:
    with pytest.raises(ValueError, match="missing header X-Event, which names the event type"):
        _identify({"event_type_header": "X-Event"})


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"other": 1}', "the body has no string or integer at 'kind'"),
        (b'{"kind": ["a"]}', "the body has no string or integer at 'kind'"),
        (b"kind=a", "the body is not JSON"),
        (b"\xff\xfe", "the body is not JSON"),
    ],
)
def test_a_missing_event_type_field_says_why(body: bytes, why: str) -> None:
    with pytest.raises(ValueError, match="event_type_field 'kind'") as error:
        _identify({"event_type_field": "kind"}, body)
    assert why in str(error.value)


def test_a_missing_delivery_id_falls_back_to_body_dedup() -> None:
    assert _identify({"delivery_id_header": "X-Delivery"}).delivery_id is None
    assert _identify({"delivery_id_field": "missing"}).delivery_id is None
    assert _identify({"delivery_id_field": "id"}, b"not json").delivery_id is None


@pytest.mark.parametrize(
    ("preset", "headers", "body", "expected"),
    [
        (
            "github-style",
            {"X-GitHub-Event": "push", "X-GitHub-Delivery": "72d3162e"},
            b"{}",
            ("push", "72d3162e"),
        ),
        ("stripe-like", {}, b'{"id": "evt_9", "type": "invoice.paid"}', ("invoice.paid", "evt_9")),
        (
            "standard-webhooks",
            {"webhook-id": "msg_1"},
            b'{"type": "user.created", "data": {}}',
            ("user.created", "msg_1"),
        ),
        ("svix", {"svix-id": "msg_2"}, b'{"type": "email.sent"}', ("email.sent", "msg_2")),
        (
            "shopify-like",
            {"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "b54557e4"},
            b"{}",
            ("orders/create", "b54557e4"),
        ),
        (
            "paddle-like",
            {},
            b'{"event_id": "evt_01h", "event_type": "transaction.paid"}',
            ("transaction.paid", "evt_01h"),
        ),
        ("slack-like", {}, b'{"type": "event_callback"}', ("webhook", None)),
    ],
)
def test_presets_identify_their_senders(
    preset: str, headers: dict[str, str], body: bytes, expected: tuple[str, str | None]
) -> None:
    identity = _identify({"preset": preset}, body, headers)
    assert (identity.event_type, identity.delivery_id) == expected
