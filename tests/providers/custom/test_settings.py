"""The settings model of custom sources: defaults, presets, and errors that say what to do."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hookgate_custom import (
    CustomSettings,
    generate_secret,
    get_preset,
    preset_names,
    sender_secret,
    validate_secret,
)
from pydantic import ValidationError
from standardwebhooks import Webhook

#: The names of the `hookgate sources create --provider custom` flags (issue 7), minus --secret.
FLAG_FIELDS = {
    "signature_header",
    "algorithm",
    "signature_format",
    "timestamp_header",
    "signed_content",
    "tolerance",
    "event_type_header",
    "event_type_field",
    "delivery_id_header",
    "delivery_id_field",
    "preset",
}


def test_every_flag_has_a_field_and_there_is_no_secret_field() -> None:
    assert set(CustomSettings.model_fields) >= FLAG_FIELDS
    assert "secret" not in CustomSettings.model_fields
    for name, field in CustomSettings.model_fields.items():
        assert field.description, f"{name} needs a description (it becomes --help text)"


def test_defaults() -> None:
    settings = CustomSettings()
    assert settings.signature_format == "auto"
    assert settings.algorithm == "sha256"
    assert settings.signature_header == "X-Signature"
    assert settings.signed_content == "{body}"
    assert settings.tolerance == 300
    assert settings.verified


def test_standard_webhooks_defaults() -> None:
    settings = CustomSettings(signature_format="standard-webhooks")
    assert settings.signature_header == "webhook-signature"
    assert settings.timestamp_header == "webhook-timestamp"
    assert settings.delivery_id_header == "webhook-id"
    assert settings.signed_content == "{id}.{timestamp}.{body}"
    assert settings.tolerance == 300


def test_none_is_unverified() -> None:
    settings = CustomSettings(signature_format="none")
    assert settings.signature_header is None
    assert not settings.verified


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_is_valid_described_and_round_trips(name: str) -> None:
    preset = get_preset(name)
    assert preset.description.strip()
    settings = CustomSettings.from_preset(name)
    assert settings.preset == name
    for key, value in preset.settings.items():
        assert getattr(settings, key) == value
    again = CustomSettings.model_validate(settings.model_dump())
    assert again == settings


def test_preset_names() -> None:
    expected = {"github-style", "stripe-like", "slack-like", "standard-webhooks", "shopify-like"}
    assert expected <= set(preset_names())


def test_explicit_settings_override_a_preset() -> None:
    settings = CustomSettings.from_preset("stripe-like", tolerance=600, signature_header="X-Sig")
    assert (settings.tolerance, settings.signature_header) == (600, "X-Sig")
    assert settings.signature_key == "v1"


def test_choosing_the_other_half_of_a_pair_replaces_the_presets_half() -> None:
    settings = CustomSettings.from_preset("stripe-like", event_type_header="X-Event")
    assert settings.event_type_header == "X-Event"
    assert settings.event_type_field is None
    github = CustomSettings.from_preset("github-style", delivery_id_field="id")
    assert (github.delivery_id_header, github.delivery_id_field) == (None, "id")


def _error(config: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as raised:
        CustomSettings.model_validate(config)
    return str(raised.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"preset": "stripe"}, "unknown preset 'stripe': use one of github-style"),
        (
            {"signature_headr": "X"},
            "unknown setting 'signature_headr' (did you mean signature_header?)",
        ),
        ({"signature_format": "md5"}, "signature_format"),
        ({"algorithm": "md5"}, "algorithm"),
        ({"signature_header": "X-Sig: abc"}, "is not a header name"),
        ({"event_type_field": "data..type"}, "is not a dotted path"),
        ({"tolerance": 0}, "tolerance"),
        (
            {"signed_content": "{timestamp}.{body}"},
            "uses {timestamp}: set timestamp_header to the header carrying it",
        ),
        ({"timestamp_header": "X-Ts"}, "a timestamp that is not signed does not stop replays"),
        ({"signed_content": "{id}{body}"}, "uses {id}: set delivery_id_header"),
        ({"signed_content": "{ts}.{body}"}, "unknown placeholder {ts}"),
        ({"signed_content": "{timestamp}"}, "must contain {body} exactly once"),
        ({"signed_content": "{body}}"}, "unmatched brace"),
        (
            {"event_type_header": "X-E", "event_type_field": "type"},
            "set either event_type_header or event_type_field",
        ),
        (
            {"delivery_id_header": "X-D", "delivery_id_field": "id"},
            "set either delivery_id_header or delivery_id_field",
        ),
        (
            {"signature_format": "prefixed-hex", "signature_prefix": "v0="},
            "prefixed-hex has its own prefix",
        ),
        (
            {"signature_format": "auto", "signature_key": "v1"},
            "signature_key is for the hex and base64 formats",
        ),
        (
            {"signature_format": "hex", "timestamp_key": "t"},
            "timestamp_key reads the key=value list: set signature_key",
        ),
        (
            {"signature_format": "standard-webhooks", "algorithm": "sha1"},
            "standard-webhooks signs with sha256",
        ),
        (
            {"signature_format": "standard-webhooks", "signed_content": "{body}"},
            "standard-webhooks always signs",
        ),
        (
            {"signature_format": "standard-webhooks", "delivery_id_field": "id"},
            "use delivery_id_header",
        ),
        (
            {"signature_format": "none", "signature_header": "X-Sig"},
            "signature_format none checks no signature, so signature_header would be ignored",
        ),
        (
            {
                "signature_format": "hex",
                "timestamp_header": "X-Signature",
                "signed_content": "{timestamp}{body}",
            },
            "timestamp_header must differ",
        ),
    ],
)
def test_errors_say_what_is_wrong_and_how_to_fix_it(config: dict[str, Any], message: str) -> None:
    assert message in _error(config)


def test_a_secret_is_refused_and_never_echoed() -> None:
    text = _error({"secret": "s3cr3t-value-never-shown", "signature_format": "hex"})
    assert "secret is not a setting" in text
    assert "s3cr3t-value-never-shown" not in text


def test_generated_secrets() -> None:
    plain = generate_secret(CustomSettings())
    assert len(plain) >= 43  # 32 random bytes
    whsec = generate_secret(CustomSettings(signature_format="standard-webhooks"))
    assert whsec.startswith("whsec_")
    assert len(base64.b64decode(whsec.removeprefix("whsec_"))) == 32
    Webhook(whsec)  # the library accepts it
    assert generate_secret(CustomSettings()) != plain


def test_sender_secret_and_validate_secret() -> None:
    standard = CustomSettings(signature_format="standard-webhooks")
    assert sender_secret(CustomSettings(), "abc") == "abc"
    assert sender_secret(standard, "abc") == "whsec_" + base64.b64encode(b"abc").decode()
    assert sender_secret(standard, "whsec_YWJj") == "whsec_YWJj"
    validate_secret(standard, "whsec_YWJj")
    with pytest.raises(ValueError, match="not base64 after it"):
        validate_secret(standard, "whsec_***")
    with pytest.raises(ValueError, match="empty"):
        validate_secret(CustomSettings(), "")
