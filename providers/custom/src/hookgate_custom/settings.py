"""The per-source settings of a custom source.

Each field is a ``hookgate sources create --provider custom --set KEY=VALUE``
setting and a key of the admin API's ``config`` object; core reads the field
descriptions and allowed values from this model for ``--help`` and errors, so
they are written for admins. The signing
secret is deliberately not a setting: it arrives through
``SourceContext.secrets``, encrypted at rest and rotated by core.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from hookgate.setting_fields import unknown_key
from hookgate.signing import Algorithm
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from hookgate_custom.content import BODY_ONLY, placeholders
from hookgate_custom.presets import EXCLUSIVE_PAIRS, apply_preset, preset_names

SignatureFormat = Literal["prefixed-hex", "hex", "base64", "auto", "standard-webhooks", "none"]
SIGNATURE_FORMATS: tuple[SignatureFormat, ...] = (
    "prefixed-hex",
    "hex",
    "base64",
    "auto",
    "standard-webhooks",
    "none",
)

STANDARD_WEBHOOKS_CONTENT = "{id}.{timestamp}.{body}"
DEFAULT_SIGNATURE_HEADER = "X-Signature"

# Filled in before validation when the format implies them and nothing was given.
_FORMAT_DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "prefixed-hex": {"signature_header": DEFAULT_SIGNATURE_HEADER},
    "hex": {"signature_header": DEFAULT_SIGNATURE_HEADER},
    "base64": {"signature_header": DEFAULT_SIGNATURE_HEADER},
    "auto": {"signature_header": DEFAULT_SIGNATURE_HEADER},
    "standard-webhooks": {
        "signature_header": "webhook-signature",
        "timestamp_header": "webhook-timestamp",
        "signed_content": STANDARD_WEBHOOKS_CONTENT,
    },
}

_HEADER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*", re.ASCII)
_KEY = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_PREFIX = re.compile(r"[!-~]+", re.ASCII)


def _header_name(value: str) -> str:
    if not _HEADER.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a header name: use letters, digits, '-' and '_' "
            "(e.g. X-Signature), without the colon or the value"
        )
    return value


def _field_path(value: str) -> str:
    if not value or any(not segment.strip() for segment in value.split(".")):
        raise ValueError(
            f"{value!r} is not a dotted path: write keys separated by dots, "
            "with array indexes as numbers (e.g. data.object.type or items.0.id)"
        )
    return value


def _list_key(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise ValueError(f"{value!r} is not a list key: use letters, digits, '-' or '_' (e.g. v1)")
    return value


def _prefix(value: str) -> str:
    if not _PREFIX.fullmatch(value):
        raise ValueError(f"{value!r} is not a prefix: use visible ASCII without spaces (e.g. v0=)")
    return value


HeaderName = Annotated[str, AfterValidator(_header_name)]
FieldPath = Annotated[str, AfterValidator(_field_path)]
ListKey = Annotated[str, AfterValidator(_list_key)]
Prefix = Annotated[str, AfterValidator(_prefix)]


class CustomSettings(BaseModel):
    """How a custom source's sender signs and names its deliveries.

    Build from stored config with ``CustomSettings.model_validate(config)``;
    ``preset`` fills every other field from the named preset, and fields given
    explicitly override it.
    """

    # Inputs stay out of error messages: a misplaced secret must not be echoed.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    preset: str | None = Field(
        default=None,
        description="Fill the other settings from a preset: "
        f"{', '.join(preset_names())}; settings given win.",
        examples=list(preset_names()),
    )
    signature_format: SignatureFormat = Field(
        default="auto",
        description="How the signature is written: prefixed-hex (sha256=<hex>), hex, base64, "
        "auto (prefixed-hex or base64), standard-webhooks, or none (URL secret only).",
    )
    algorithm: Algorithm = Field(default="sha256", description="HMAC hash algorithm.")
    signature_header: HeaderName | None = Field(
        default=None,
        description="Header carrying the signature (default X-Signature; webhook-signature "
        "for standard-webhooks).",
    )
    signature_prefix: Prefix | None = Field(
        default=None,
        description="Literal text before the hex or base64 signature, e.g. v0= (Slack).",
    )
    signature_key: ListKey | None = Field(
        default=None,
        description="The header is a key=value list; signatures are the values of this key "
        "(v1 in Stripe's t=...,v1=...). Repeated keys are all tried.",
    )
    signature_separator: Literal[",", ";"] = Field(
        default=",", description="Separator of the key=value list (',' Stripe, ';' Paddle)."
    )
    timestamp_key: ListKey | None = Field(
        default=None, description="Key of the signing timestamp in the key=value list (t)."
    )
    timestamp_header: HeaderName | None = Field(
        default=None, description="Header carrying the signing timestamp (Unix seconds)."
    )
    signed_content: str = Field(
        default=BODY_ONLY,
        description="What is signed: literal text with {body}, {timestamp} and {id}, "
        "e.g. {timestamp}.{body}.",
    )
    tolerance: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="Seconds a signed timestamp may be older or newer than the receive time.",
    )
    event_type_header: HeaderName | None = Field(
        default=None, description="Header naming the event type, e.g. X-Event-Type."
    )
    event_type_field: FieldPath | None = Field(
        default=None, description="Dotted path to the event type in the JSON body, e.g. type."
    )
    delivery_id_header: HeaderName | None = Field(
        default=None, description="Header carrying a delivery id that redeliveries keep."
    )
    delivery_id_field: FieldPath | None = Field(
        default=None, description="Dotted path to the delivery id in the JSON body, e.g. id."
    )

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> Self:
        """Settings filled from preset ``name``, with ``overrides`` winning."""
        return cls.model_validate({**overrides, "preset": name})

    @property
    def verified(self) -> bool:
        """False for ``none``: such a source is shown as unverified."""
        return self.signature_format != "none"

    @property
    def uses_timestamp(self) -> bool:
        return self.timestamp_header is not None or self.timestamp_key is not None

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        values = dict(data)
        if "secret" in values:
            raise ValueError(
                "secret is not a setting: give it as the source's signing secret "
                "(it is stored encrypted and can be rotated)"
            )
        unknown = sorted(set(values) - set(cls.model_fields))
        if unknown:
            raise ValueError(_unknown_settings(unknown))
        if isinstance(values.get("preset"), str):
            values = apply_preset(values["preset"], values)
        fmt = values.get("signature_format", "auto")
        for key, default in _FORMAT_DEFAULTS.get(str(fmt), {}).items():
            if values.get(key) is None:
                values[key] = default
        if fmt == "standard-webhooks" and values.get("delivery_id_field") is None:
            values.setdefault("delivery_id_header", "webhook-id")
        return values

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = [
            *_exclusive_problems(self),
            *_format_problems(self),
            *_content_problems(self),
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _unknown_settings(names: list[str]) -> str:
    return "; ".join(unknown_key(name, list(CustomSettings.model_fields)) for name in names)


def _exclusive_problems(s: CustomSettings) -> list[str]:
    return [
        f"set either {a} or {b}, not both"
        for a, b in EXCLUSIVE_PAIRS
        if getattr(s, a) is not None and getattr(s, b) is not None
    ]


def _format_problems(s: CustomSettings) -> list[str]:
    fmt = s.signature_format
    if fmt == "none":
        return _none_problems(s)
    problems: list[str] = []
    if s.signature_header is None:
        problems.append(f"signature_format {fmt} needs signature_header")
    if s.signature_prefix is not None and fmt not in ("hex", "base64"):
        problems.append(
            f"signature_prefix is for the hex and base64 formats; {fmt} has its own prefix "
            "(use signature_format hex with signature_prefix for another one)"
        )
    if s.signature_key is not None and fmt not in ("hex", "base64"):
        problems.append(f"signature_key is for the hex and base64 formats, not {fmt}")
    if s.timestamp_key is not None and s.signature_key is None:
        problems.append("timestamp_key reads the key=value list: set signature_key too (e.g. v1)")
    if fmt == "standard-webhooks":
        problems.extend(_standard_webhooks_problems(s))
    headers = (s.timestamp_header, s.signature_header)
    if all(headers) and len({str(h).lower() for h in headers}) == 1:
        problems.append("timestamp_header must differ from signature_header")
    return problems


def _none_problems(s: CustomSettings) -> list[str]:
    signing = ("signature_header", "signature_prefix", "signature_key")
    given = [name for name in (*signing, "timestamp_key", "timestamp_header") if getattr(s, name)]
    if s.signed_content != BODY_ONLY:
        given.append("signed_content")
    if not given:
        return []
    them = "them" if len(given) > 1 else "it"
    return [
        f"signature_format none checks no signature, so {', '.join(given)} would be ignored: "
        f"remove {them} or choose a signing format"
    ]


def _standard_webhooks_problems(s: CustomSettings) -> list[str]:
    problems: list[str] = []
    if s.algorithm != "sha256":
        problems.append("standard-webhooks signs with sha256: remove algorithm or set sha256")
    if s.signed_content != STANDARD_WEBHOOKS_CONTENT:
        problems.append(f"standard-webhooks always signs {STANDARD_WEBHOOKS_CONTENT}")
    if s.delivery_id_header is None:
        problems.append(
            "standard-webhooks signs the message id header, which is also the delivery id: "
            "use delivery_id_header (default webhook-id) instead of delivery_id_field"
        )
    return problems


def _content_problems(s: CustomSettings) -> list[str]:
    try:
        used = placeholders(s.signed_content)
    except ValueError as error:
        return [str(error)]
    problems: list[str] = []
    if "timestamp" in used and not s.uses_timestamp:
        problems.append(
            f"signed_content {s.signed_content!r} uses {{timestamp}}: set timestamp_header "
            "to the header carrying it (e.g. X-Timestamp), or timestamp_key for a key=value list"
        )
    if "timestamp" not in used and s.uses_timestamp and s.verified:
        problems.append(
            "a timestamp that is not signed does not stop replays: add {timestamp} to "
            "signed_content (e.g. '{timestamp}.{body}') or remove timestamp_header/timestamp_key"
        )
    if "id" in used and s.delivery_id_header is None:
        problems.append(
            f"signed_content {s.signed_content!r} uses {{id}}: set delivery_id_header to the "
            "header carrying it (e.g. webhook-id)"
        )
    return problems


__all__ = [
    "DEFAULT_SIGNATURE_HEADER",
    "SIGNATURE_FORMATS",
    "STANDARD_WEBHOOKS_CONTENT",
    "CustomSettings",
    "SignatureFormat",
]
