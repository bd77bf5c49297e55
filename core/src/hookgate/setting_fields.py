"""The fields of a settings model, read from its JSON Schema.

A provider describes its settings with pydantic models: the per-source
settings (``ProviderInfo.config_model``) and its installation settings (read by
:func:`hookgate.config.provider_settings`). Both arrive as text sometimes, from
``--set KEY=VALUE`` or an environment variable, and both are explained to
people: in ``--help``, in an error naming the allowed keys or values. This
module answers those questions for any model, from the JSON Schema pydantic
generates, so core never names a provider's fields.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from hookgate.schema_inference import json_type

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_UNSET = object()


@dataclass(frozen=True)
class SettingField:
    """One field of a settings model: its name (as input), JSON Schema and help."""

    name: str
    schema: Mapping[str, Any]
    description: str
    required: bool
    default: Any = _UNSET

    @property
    def types(self) -> frozenset[str]:
        """The JSON types the field takes, ``null`` excluded."""
        found: set[str] = set()
        for alt in _alternatives(self.schema):
            kind = alt.get("type")
            found.update(kind if isinstance(kind, list) else [kind] if kind else [])
            found.update(json_type(v) for v in _choices_of(alt) or ())
        return frozenset(found - {"null"})

    @property
    def choices(self) -> tuple[Any, ...] | None:
        """The allowed values when the field is an enumeration, else ``None``."""
        values: list[Any] = []
        for alt in _alternatives(self.schema):
            if alt.get("type") == "null":
                continue
            found = _choices_of(alt)
            if found is None:
                return None
            values.extend(v for v in found if v not in values)
        return tuple(values) or None

    def type_text(self) -> str:
        """What to write, for help: ``sha1|sha256``, ``integer``, ``true|false``, ``A,B,...``."""
        if self.choices:
            return "|".join(str(c) for c in self.choices)
        for kind, text in _TYPE_TEXT:
            if kind in self.types:
                return text
        return "JSON"

    def default_text(self) -> str | None:
        if self.default is _UNSET or self.default is None:
            return None
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        if isinstance(self.default, list | dict):
            return json.dumps(self.default)
        text = str(self.default)
        return text if any(c.isalnum() for c in text) else repr(text)  # ',' not ,

    def parse(self, text: str) -> Any:
        """The value ``text`` stands for, typed from the schema; the model validates it after.

        Text the schema does not explain stays text, so the model's own error says
        what is wrong. Raises :class:`ValueError` only for lists and objects whose
        JSON does not parse.
        """
        return _parse(self.schema, self.types, text)


_TYPE_TEXT = (
    ("string", "TEXT"),
    ("boolean", "true|false"),
    ("integer", "INTEGER"),
    ("number", "NUMBER"),
    ("array", "A,B,..."),
    ("object", "JSON object"),
)


def _parse(schema: Mapping[str, Any], types: frozenset[str], text: str) -> Any:
    if "string" in types:
        return text
    if "boolean" in types and text.strip().lower() in _TRUE | _FALSE:
        return text.strip().lower() in _TRUE
    if types & {"integer", "number"}:
        number = _number(text.strip(), integer="number" not in types)
        if number is not None:
            return number
    if "array" in types:
        return _array(schema, text)
    if "object" in types or not types:  # no type at all (Any): JSON when it parses
        try:
            return json.loads(text)
        except ValueError:
            if "object" in types:
                raise ValueError('expects a JSON object, e.g. {"key": "value"}') from None
    return text


def _number(text: str, *, integer: bool) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    if integer:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _array(schema: Mapping[str, Any], text: str) -> list[Any]:
    if text.lstrip().startswith("["):
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"expects a JSON list or A,B,...: {exc}") from None
        if isinstance(value, list):
            return value
    items: Mapping[str, Any] = {}
    for alt in _alternatives(schema):
        if alt.get("type") == "array":
            items = alt.get("items", {})
    item = SettingField("item", items, "", False)
    return [item.parse(part.strip()) for part in text.split(",") if part.strip()]


def _alternatives(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [a for alt in schema[key] for a in _alternatives(alt)]
    return [schema]


def _choices_of(schema: Mapping[str, Any]) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return None


def model_schema(model: type[BaseModel] | None) -> dict[str, Any] | None:
    """The model's JSON Schema; ``None`` without a model or when pydantic cannot write one."""
    if model is None:
        return None
    try:
        return model.model_json_schema()
    except Exception:  # an arbitrary type without a schema: the fields are still known
        return None


def setting_fields(model: type[BaseModel]) -> dict[str, SettingField]:
    """The model's fields by input name (the alias where one is set), in declaration order."""
    schema = model_schema(model) or {}
    defs = schema.get("$defs", {})
    properties = schema.get("properties", {})
    fields: dict[str, SettingField] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        resolved = _resolve(properties.get(key, {}), defs)
        default = _UNSET if info.is_required() else info.get_default(call_default_factory=True)
        text = info.description or str(resolved.get("description", ""))
        fields[key] = SettingField(key, resolved, text, info.is_required(), default)
    return fields


def _resolve(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$ref`` s (to ``#/$defs/...``) replaced by what they name."""
    out = dict(schema)
    ref = out.pop("$ref", None)
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        out = {**_resolve(defs.get(ref.rsplit("/", 1)[1], {}), defs), **out}
    for key in ("anyOf", "oneOf"):
        if key in out:
            out[key] = [_resolve(alt, defs) for alt in out[key]]
    if isinstance(out.get("items"), Mapping):
        out["items"] = _resolve(out["items"], defs)
    return out


def accepts_unknown(model: type[BaseModel]) -> bool:
    """Whether the model keeps keys it does not declare (``extra="allow"``)."""
    return model.model_config.get("extra") == "allow"


def unknown_key(key: str, known: Sequence[str], what: str = "setting") -> str:
    """``unknown setting 'regoin' (did you mean region?); the settings are: ...``."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    listed = ", ".join(known) if known else "none"
    return f"unknown {what} {key!r}{hint}; the {what}s are: {listed}"


def suggestion(key: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def problems(
    exc: ValidationError,
    fields: Mapping[str, SettingField],
    name: Callable[[str], str] = str,
    whole: str = "settings",
) -> list[str]:
    """Each error of ``exc`` as ``KEY: what is wrong``, with the allowed values of an enum.

    ``name`` turns a field name into what the reader wrote (an environment
    variable, say); ``whole`` names errors of the model as a whole. Inputs are
    never echoed: a misplaced secret must not reach a log.
    """
    out: list[str] = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = [str(p) for p in error["loc"]]
        message = str(error["msg"]).removeprefix("Value error, ")
        field = fields.get(loc[0]) if loc else None
        if field is not None and field.choices and error["type"] in ("literal_error", "enum"):
            message = "must be one of " + ", ".join(str(c) for c in field.choices)
        where = name(loc[0]) + "".join(f".{p}" for p in loc[1:]) if loc else whole
        out.append(f"{where}: {message}")
    return out


__all__ = [
    "SettingField",
    "accepts_unknown",
    "model_schema",
    "problems",
    "setting_fields",
    "suggestion",
    "unknown_key",
]
