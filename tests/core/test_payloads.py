"""The one JSON parser: strict RFC 8259, bounded nesting, and what it accepts encodes again."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from hookgate.payloads import FORM, MAX_DEPTH, MalformedJSON, loads, parse_payload
from pydantic import BaseModel


def nested(depth: int) -> bytes:
    """``depth`` objects and arrays, alternating, around a string."""
    opening = "".join('{"a":' if n % 2 else "[" for n in range(depth))
    closing = "".join("}" if n % 2 else "]" for n in reversed(range(depth)))
    return f'{opening}"x"{closing}'.encode()


REFUSED = {
    "NaN": (b'{"n": NaN}', "NaN and Infinity"),
    "Infinity": (b"[Infinity]", "NaN and Infinity"),
    "-Infinity": (b'{"n": -Infinity}', "NaN and Infinity"),
    "overflow": (b'{"n": 1e999999}', "too large for a 64-bit float"),
    "huge integer": (b"1" + b"0" * 400, "too large for a 64-bit float"),
    "lone high surrogate": (b'{"s": "\\ud800"}', "lone UTF-16 surrogate"),
    "lone low surrogate": (b'{"s": "\\udc00x"}', "lone UTF-16 surrogate"),
    "byte order mark": ('\ufeff{"a": 1}'.encode(), "byte order mark"),
    "UTF-16 with BOM": ('{"a": 1}'.encode("utf-16"), "UTF-16 or UTF-32"),
    "UTF-16 LE": ('{"a": 1}'.encode("utf-16-le"), "UTF-16 or UTF-32"),
    "UTF-16 BE": ('{"a": 1}'.encode("utf-16-be"), "UTF-16 or UTF-32"),
    "UTF-32": ('{"a": 1}'.encode("utf-32"), "UTF-16 or UTF-32"),
    "invalid UTF-8": (b'{"s": "\xff"}', "not valid UTF-8 (byte 0xff at offset 7)"),
    "encoded surrogate": (b'{"s": "\xed\xa0\x80"}', "not valid UTF-8"),
    "one too deep": (nested(MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
    "orjson's limit": (b"[" * 1025 + b"]" * 1025, f"nested deeper than {MAX_DEPTH} levels"),
    "far too deep": (b"[" * 100_000 + b"]" * 100_000, f"nested deeper than {MAX_DEPTH}"),
    "truncated": (b'{"a": ', "unexpected end of data"),
    "empty": (b"", "empty"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_what_is_not_strict_json_is_refused_with_the_reason(case: str) -> None:
    body, reason = REFUSED[case]
    with pytest.raises(MalformedJSON) as error:
        loads(body)
    assert reason in str(error.value)
    assert isinstance(error.value, ValueError)  # callers that catch ValueError keep working


def test_a_form_payload_is_held_to_the_same_rules() -> None:
    deep = urlencode({"payload": nested(MAX_DEPTH + 1).decode()}).encode()
    with pytest.raises(MalformedJSON, match="nested deeper"):
        parse_payload(deep, FORM)
    with pytest.raises(MalformedJSON, match="not valid UTF-8"):
        parse_payload(b"payload=\xff", FORM)
    with pytest.raises(MalformedJSON, match="no 'payload' field"):
        parse_payload(b"other=1", FORM)
    assert parse_payload(urlencode({"payload": '{"a": 1}'}).encode(), FORM) == {"a": 1}


ACCEPTED = {
    "at the limit": nested(MAX_DEPTH),
    "surrogate pair": b'{"s": "\\ud83d\\ude00"}',
    "escaped NUL": b'{"s": "a\\u0000b"}',
    "largest unsigned 64-bit": b"[18446744073709551615, -9223372036854775808]",
    "largest double": b"[1.7976931348623157e308, 5e-324]",
    "scalar": b'"just a string"',
    "whitespace around": b' \r\n\t{"a": [1, 2]} \n',
    "duplicate names": b'{"a": 1, "a": 2}',
}


class EventDetail(BaseModel):
    payload: Any  # as the admin API's event view holds it


@pytest.mark.parametrize("case", ACCEPTED)
def test_what_is_accepted_every_later_step_can_encode(case: str) -> None:
    document = loads(ACCEPTED[case])
    assert document == json.loads(ACCEPTED[case])  # the standard library reads it the same
    in_a_run = {"run": {"data": {"payload": document}}}  # the HTTP sink's envelope
    json.dumps(in_a_run, ensure_ascii=False, allow_nan=False)
    orjson.dumps(in_a_run)
    EventDetail(payload=document).model_dump_json()
