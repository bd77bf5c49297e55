"""The prompt: facts read from the schema and sample, bounded in size, nothing else."""

from __future__ import annotations

import json
from typing import Any

from hookgate.generation.facts import bundle_schema, schema_facts
from hookgate.generation.prompt import GRAMMAR, build_messages, sample_text
from hookgate.plugins import PluginManager
from hookgate.types import FilterGenerationRequest

SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An order changed.",
    "properties": {
        "action": {"type": "string", "enum": ["created", "paid", "shipped"]},
        "total": {"type": "number", "description": "Order total in cents."},
        "note": {"type": ["string", "null"]},
        "customer": {"$ref": "#/$defs/customer"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}},
            },
        },
        "tags": {"type": "array", "items": {"type": "string", "enum": ["gift", "rush"]}},
        "status": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
    },
    "$defs": {
        "customer": {
            "type": "object",
            "description": "Who ordered.",
            "properties": {"email": {"type": "string"}, "vip": {"type": "boolean"}},
        }
    },
}


def facts(schema: dict[str, Any] = SCHEMA, **kwargs: Any) -> dict[str, str]:
    return {f.path: f.render() for f in schema_facts(schema, **kwargs).fields}


def test_fields_have_paths_types_descriptions_and_allowed_values() -> None:
    found = facts()
    assert found["action"] == 'action: string (one of "created", "paid", "shipped")'
    assert found["total"] == "total: number — Order total in cents."
    assert found["note"] == "note: string or null"
    assert found["status"] == "status: string or integer"


def test_refs_are_followed_and_arrays_of_objects_map_with_a_star() -> None:
    found = facts()
    assert found["customer"].startswith("customer: object")
    assert found["customer.vip"] == "customer.vip: boolean"
    assert found["items"] == "items: array of object"
    assert found["items.*.qty"] == "items.*.qty: integer"
    assert found["tags"] == 'tags: array of string (one of "gift", "rush")'


def test_resources_referenced_by_id_are_followed() -> None:
    account = {
        "$id": "https://x.test/account.json",
        "type": "object",
        "properties": {"login": {"type": "string", "description": "Login."}},
    }
    schema = {
        "type": "object",
        "properties": {"sender": {"$ref": "account.json"}},
        "$id": "https://x.test/event.json",
    }
    assert facts(schema, resources={account["$id"]: account})["sender.login"] == (
        "sender.login: string — Login."
    )
    # Bundled into one document (what a FilterGenerationRequest carries), the same facts.
    bundled = bundle_schema(schema, {account["$id"]: account})
    assert facts(bundled)["sender.login"] == "sender.login: string — Login."


def test_big_schemas_are_cut_deepest_first() -> None:
    wide = {
        "type": "object",
        "properties": {
            f"f{i}": {"type": "object", "properties": {"deep": {"type": "string"}}}
            for i in range(10)
        },
    }
    result = schema_facts(wide, max_fields=12)
    paths = [f.path for f in result.fields]
    assert {f"f{i}" for i in range(10)} <= set(paths)  # every top-level field survives
    assert result.omitted == 8
    assert "(and 8 deeper fields not listed)" in result.render()


def test_a_cyclic_schema_ends() -> None:
    node = {"type": "object", "properties": {"child": {"$ref": "#"}, "name": {"type": "string"}}}
    found = facts(node, max_depth=4)
    assert "child.child.child.name" in found
    assert "child.child.child.child.name" not in found


def test_the_sample_keeps_its_shape_within_the_budget() -> None:
    sample = {"title": "x" * 5000, "items": [{"sku": str(i)} for i in range(100)], "n": 3}
    text = sample_text(sample, budget=500)
    assert len(text) <= 500
    shortened = json.loads(text)
    assert shortened["n"] == 3
    assert shortened["title"].endswith("…")
    assert 1 <= len(shortened["items"]) <= 3
    assert shortened["items"][0] == {"sku": "0"}


def test_undescribed_keys_go_first_when_the_sample_is_too_big() -> None:
    sample = {"action": "opened", **{f"x{i}_url": "https://example.test/" * 3 for i in range(400)}}
    text = sample_text(sample, budget=300, documented=["action"])
    assert json.loads(text) == {"action": "opened"}


def test_every_built_in_schema_gives_a_bounded_prompt() -> None:
    plugins = PluginManager()
    for provider in plugins.enabled:
        for event_type, schema in plugins.schemas(provider).items():
            request = FilterGenerationRequest(
                "anything",
                provider,
                event_type,
                bundle_schema(schema.json_schema, schema.resources),
                schema.sample,
                GRAMMAR,
            )
            user = build_messages(request)[1]["content"]
            assert len(user) < 40_000, (provider, event_type)
            assert "Fields of the event body" in user, (provider, event_type)


def test_messages_hold_grammar_facts_and_description_and_a_repair_quotes_the_error() -> None:
    request = FilterGenerationRequest(
        "paid orders over 100 dollars", "shop", "order", SCHEMA, {"action": "paid"}, GRAMMAR
    )
    system, user = build_messages(request)
    assert system["role"] == "system"
    assert "set_filter" in system["content"]
    assert "(has-any FIELD (V1 V2 ...))" in system["content"]
    assert "Event type: order" in user["content"]
    assert "items.*.sku: string" in user["content"]
    assert '{"action":"paid"}' in user["content"]
    assert "paid orders over 100 dollars" in user["content"]

    repair = FilterGenerationRequest(
        request.description,
        "shop",
        "order",
        SCHEMA,
        None,
        GRAMMAR,
        previous_error='line 1, column 5: error: unknown field "totl"',
    )
    messages = build_messages(repair)
    assert len(messages) == 3
    assert 'line 1, column 5: error: unknown field "totl"' in messages[2]["content"]


def test_without_a_schema_the_prompt_says_so() -> None:
    request = FilterGenerationRequest("anything", "custom", None, None, None, GRAMMAR)
    user = build_messages(request)[1]["content"]
    assert "No schema is known" in user
    assert "Event type: any event type" in user
