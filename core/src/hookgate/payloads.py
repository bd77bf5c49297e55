"""JSON documents of deliveries: one strict, bounded parser for every path.

Ingest, the providers' ``identify_event`` (through :meth:`WebhookRequest.json`),
dispatch, the event view and the admin API's request bodies all parse with
:func:`loads`, so what one step accepts every later step can encode again:

- exactly RFC 8259 JSON in UTF-8: no ``NaN``/``Infinity``, no number that
  overflows a double (``1e999999``), no lone surrogate (``"\\ud800"``), no
  byte order mark, no UTF-16 or UTF-32, no invalid UTF-8;
- nested at most :data:`MAX_DEPTH` objects and arrays deep. Deeper documents
  break the steps after ingest (schema validation, the HTTP sink's encoder and
  the event view's serialiser all give up between 248 and 254 levels, and the
  standard library's parser raises ``RecursionError``); no real webhook comes
  near it.

Anything else raises :class:`MalformedJSON` (a :class:`ValueError`) that says
what is wrong; ``RecursionError`` never escapes.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qs

import orjson

#: Objects and arrays nested deeper than this are refused (``[[1]]`` is 2 deep).
MAX_DEPTH = 128

FORM = "application/x-www-form-urlencoded"

#: orjson's encoder refuses documents nested deeper than this (fixed in orjson).
_ENCODER_DEPTH = 254


class MalformedJSON(ValueError):
    """The body is not a JSON document hookgate accepts; the message says why."""


class _DepthProbe(threading.local):
    """A chain of ``_ENCODER_DEPTH - MAX_DEPTH`` nested lists to put a document in.

    Encoding the chain with the document at its bottom fails exactly when the
    document is nested deeper than :data:`MAX_DEPTH`: one pass in C, about half
    the cost of the parse, where a walk in Python costs about as much as the
    parse. One per thread, because the bottom list is filled during a call.
    """

    def __init__(self) -> None:
        self.bottom: list[Any] = []
        self.top: list[Any] = self.bottom
        for _ in range(_ENCODER_DEPTH - MAX_DEPTH - 1):
            self.top = [self.top]


_probe = _DepthProbe()


def loads(data: bytes | str) -> Any:
    """The document in ``data``; :class:`MalformedJSON` unless it is strict,
    UTF-8, RFC 8259 JSON nested at most :data:`MAX_DEPTH` deep."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise MalformedJSON(_reason(data, exc)) from None
    if type(document) is dict or type(document) is list:
        _check_depth(document)
    return document


def _check_depth(document: dict[str, Any] | list[Any]) -> None:
    probe = _probe
    probe.bottom.append(document)
    try:
        orjson.dumps(probe.top)
    except orjson.JSONEncodeError:
        raise MalformedJSON(
            f"the document is nested deeper than {MAX_DEPTH} levels of objects and arrays"
        ) from None
    finally:
        probe.bottom.clear()


def _reason(data: bytes | str, error: orjson.JSONDecodeError) -> str:
    """What is wrong, in the sender's terms where orjson's message is cryptic."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) >= 2 and b"\x00" in raw[:4]):
        return "the body is UTF-16 or UTF-32: send UTF-8 (RFC 8259 section 8.1)"
    if raw.startswith(b"\xef\xbb\xbf"):
        return "the body starts with a byte order mark: send UTF-8 without one"
    message = str(error)
    at = raw[error.pos : error.pos + 9] if 0 <= error.pos < len(raw) else b""
    if at.startswith((b"NaN", b"Infinity")):  # for -Infinity orjson points past the sign
        return f"NaN and Infinity are not JSON numbers ({message})"
    if "surrogate" in message and "not valid UTF-8" not in message:
        return f"a string holds a lone UTF-16 surrogate escape ({message})"
    if "infinity when parsed as double" in message:
        return f"a number is too large for a 64-bit float ({message})"
    if "depth limit" in message:
        return f"the document is nested deeper than {MAX_DEPTH} levels of objects and arrays"
    if "not valid UTF-8" in message:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"the body is not valid UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start})"
    return message


def parse_payload(body: bytes, content_type: str) -> Any:
    """The JSON document of a delivery: a JSON body or a form's ``payload`` field.

    Raises :class:`MalformedJSON` (a :class:`ValueError`) saying what is wrong.
    """
    if content_type == FORM:
        try:
            text = body.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise MalformedJSON(f"the form body is not valid UTF-8 ({exc})") from None
        fields = parse_qs(text, strict_parsing=False)
        if "payload" not in fields:
            raise MalformedJSON("form body has no 'payload' field")
        return loads(fields["payload"][0])
    return loads(body)


def media_type(raw: str | None) -> str:
    """The media type of a ``Content-Type`` value, lower case, without parameters."""
    return (raw or "application/json").split(";", 1)[0].strip().lower()


def accepted_media_type(value: str) -> bool:
    """JSON (``application/json``, ``text/json``, ``*/*+json``) or a form."""
    return value in (FORM, "application/json", "text/json") or value.endswith("+json")


__all__ = [
    "FORM",
    "MAX_DEPTH",
    "MalformedJSON",
    "accepted_media_type",
    "loads",
    "media_type",
    "parse_payload",
]
