"""Inferring a JSON Schema from samples: what is merged how, and that samples always fit."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hookgate.schema_inference import SCHEMA_DIALECT, infer_schema
from hypothesis import given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


def body(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "$schema"}


def test_objects_list_properties_and_require_the_keys_every_sample_had() -> None:
    schema = infer_schema([{"a": 1, "b": "x"}, {"a": 2, "c": True}])
    assert schema["$schema"] == SCHEMA_DIALECT
    assert body(schema) == {
        "type": "object",
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": "string"},
            "c": {"type": "boolean"},
        },
        "required": ["a"],
    }


def test_integers_and_numbers_merge_to_number_and_null_makes_it_nullable() -> None:
    schema = infer_schema([{"n": 1, "s": None}, {"n": 1.5, "s": "x"}])
    assert schema["properties"]["n"] == {"type": "number"}
    assert schema["properties"]["s"] == {"type": ["string", "null"]}


def test_booleans_are_not_integers() -> None:
    assert body(infer_schema([True, 1])) == {"type": ["integer", "boolean"]}


def test_array_items_are_merged_across_elements_and_samples() -> None:
    schema = infer_schema(
        [{"items": [{"id": 1, "tag": "a"}, {"id": 2}]}, {"items": []}, {"items": [{"id": 3.5}]}]
    )
    assert schema["properties"]["items"] == {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"id": {"type": "number"}, "tag": {"type": "string"}},
            "required": ["id"],
        },
    }


def test_only_empty_arrays_say_nothing_about_items() -> None:
    assert body(infer_schema([[], []])) == {"type": "array"}


def test_closed_objects_forbid_unseen_keys() -> None:
    schema = infer_schema([{"a": {"b": 1}}], closed=True)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["a"]["additionalProperties"] is False
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"a": {"b": 1, "c": 2}}, schema)


def test_very_deep_payloads_end_in_anything() -> None:
    deep: Any = "leaf"
    for _ in range(200):
        deep = {"x": deep}
    schema = infer_schema([deep])
    jsonschema.validate(deep, schema)
    node = schema
    depth = 0
    while "properties" in node:
        node = node["properties"]["x"]
        depth += 1
    assert depth < 64


def test_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        infer_schema([])


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=5), st.booleans())
def test_every_sample_fits_the_schema_inferred_from_it(samples: list[Any], closed: bool) -> None:
    schema = infer_schema(samples, closed=closed)
    jsonschema.Draft202012Validator.check_schema(schema)
    for sample in samples:
        jsonschema.validate(sample, schema, cls=jsonschema.Draft202012Validator)
