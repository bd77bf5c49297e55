"""Settings text typed from a model's JSON Schema (what ``--set`` and env variables rely on),
and errors that name the key and the allowed values."""

from __future__ import annotations

import enum
from typing import Any, Literal

import pytest
from hookgate.setting_fields import problems, setting_fields, unknown_key
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Region(enum.StrEnum):
    EU = "eu"
    US = "us"


class Acme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: Region = Field(default=Region.EU, description="Where the account lives.")
    mode: Literal["fast", "safe"] | None = None
    retries: int = Field(default=3, ge=0)
    ratio: float = 0.5
    verify: bool = True
    labels: list[str] = Field(default_factory=list)
    ports: list[int] = Field(default_factory=list)
    extra_headers: dict[str, str] = Field(default_factory=dict)
    anything: Any = None
    token: str = Field(description="An API token.")


FIELDS = setting_fields(Acme)


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("region", "us", "us"),
        ("mode", "safe", "safe"),
        ("retries", "7", 7),
        ("ratio", "2", 2),
        ("ratio", "0.25", 0.25),
        ("verify", "false", False),
        ("verify", "Yes", True),
        ("verify", "0", False),
        ("labels", "a, b,c", ["a", "b", "c"]),
        ("labels", '["a,b", "c"]', ["a,b", "c"]),
        ("labels", "", []),
        ("ports", "80,443", [80, 443]),
        ("extra_headers", '{"X-A": "1"}', {"X-A": "1"}),
        ("anything", "[1, 2]", [1, 2]),
        ("anything", "plain words", "plain words"),
        ("token", "123", "123"),  # text stays text even when it parses as a number
        ("token", "true", "true"),
    ],
)
def test_text_is_typed_from_the_schema(key: str, text: str, value: Any) -> None:
    parsed = FIELDS[key].parse(text)
    assert parsed == value
    assert type(parsed) is type(value)


def test_text_the_schema_cannot_explain_is_left_to_the_model() -> None:
    assert FIELDS["retries"].parse("many") == "many"
    assert FIELDS["verify"].parse("perhaps") == "perhaps"
    with pytest.raises(ValueError, match="expects a JSON object"):
        FIELDS["extra_headers"].parse("X-A=1")
    with pytest.raises(ValueError, match="expects a JSON list"):
        FIELDS["labels"].parse("[a")


def test_fields_describe_themselves_for_help() -> None:
    region = FIELDS["region"]
    assert (region.choices, region.type_text(), region.default_text()) == (
        ("eu", "us"),
        "eu|us",
        "eu",
    )
    assert region.description == "Where the account lives."
    assert FIELDS["mode"].type_text() == "fast|safe"
    assert FIELDS["mode"].default_text() is None
    assert FIELDS["retries"].type_text() == "INTEGER"
    assert FIELDS["verify"].type_text() == "true|false"
    assert FIELDS["verify"].default_text() == "true"
    assert FIELDS["labels"].type_text() == "A,B,..."
    assert FIELDS["token"].required
    assert next(iter(FIELDS)) == "region"  # declaration order


def test_errors_name_the_key_and_the_allowed_values() -> None:
    with pytest.raises(ValidationError) as caught:
        Acme.model_validate({"region": "mars", "retries": -1, "token": "t0ps3cret"})
    found = problems(caught.value, FIELDS, name=lambda key: f"HOOKGATE_ACME_{key.upper()}")
    assert found == [
        "HOOKGATE_ACME_REGION: must be one of eu, us",
        "HOOKGATE_ACME_RETRIES: Input should be greater than or equal to 0",
    ]
    with pytest.raises(ValidationError) as caught:
        Acme.model_validate({"token": "t0ps3cret", "region": "mars"})
    assert "t0ps3cret" not in str(problems(caught.value, FIELDS))
    assert "mars" not in str(problems(caught.value, FIELDS))


def test_unknown_key_suggests_the_closest_and_lists_all() -> None:
    message = unknown_key("regoin", list(FIELDS), what="acme setting")
    assert message.startswith("unknown acme setting 'regoin' (did you mean region?); ")
    assert message.endswith("the acme settings are: " + ", ".join(FIELDS))
    assert "did you mean" not in unknown_key("zzz", ["region"])
