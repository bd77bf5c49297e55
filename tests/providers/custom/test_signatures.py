"""Signature checks of custom sources, against signatures made by independent code."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hookgate_custom import CustomSettings, preset_names, sender_secret
from standardwebhooks import Webhook

from tests.providers.custom.support import (
    BODY,
    FORMAT_CONFIGS,
    NOW,
    SECRET,
    format_cases,
    signed,
    source,
    timestamped,
    verify,
)

CASES = format_cases()
CASE_IDS = [name for name, _ in CASES]
CONFIGS = [config for _, config in CASES]
TIMESTAMPED = [(n, c) for n, c in CASES if timestamped(c)]

TS = str(int(NOW.timestamp()))


def _mac(algorithm: str, message: bytes, key: bytes = SECRET.encode()) -> bytes:
    return hmac.new(key, message, getattr(hashlib, algorithm)).digest()


# -- a correct signature is accepted ---------------------------------------------------


@pytest.mark.parametrize("config", CONFIGS, ids=CASE_IDS)
def test_what_is_signed_verifies(config: dict[str, Any]) -> None:
    src = source(config)
    result = verify(src, BODY, signed(src))
    assert result.valid, result.reason
    assert not result.unsigned


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_round_trips(preset: str) -> None:
    src = source({"preset": preset})
    headers = signed(src)
    assert verify(src, BODY, headers).valid
    assert verify(src, BODY + b" ", headers).reason == "signature mismatch"


def _independent_headers(name: str, algorithm: str) -> dict[str, str]:
    """Headers computed here with hmac/hashlib only, as each sender documents them."""
    mac = _mac(algorithm, BODY)
    b64 = base64.b64encode(mac).decode()
    by_format = {
        "prefixed-hex": {"X-Signature": f"{algorithm}={mac.hex()}"},
        "hex": {"X-Signature": mac.hex()},
        "base64": {"X-Signature": b64},
        "auto": {"X-Signature": b64},
        "hex-prefix-timestamp-header": {
            "X-Timestamp": TS,
            "X-Signature": "v0=" + _mac(algorithm, f"v0:{TS}:".encode() + BODY).hex(),
        },
        "base64-timestamp-header": {
            "X-Timestamp": TS,
            "X-Signature": base64.b64encode(_mac(algorithm, TS.encode() + BODY)).decode(),
        },
        "key-value-list": {
            "X-Signature": f"t={TS},v1={_mac(algorithm, f'{TS}.'.encode() + BODY).hex()}"
        },
    }
    return by_format[name]


INDEPENDENT = [
    (name, alg)
    for name in FORMAT_CONFIGS
    if name != "standard-webhooks"  # covered by the standardwebhooks library below
    for alg in ("sha1", "sha256", "sha512")
]


@pytest.mark.parametrize(("name", "algorithm"), INDEPENDENT)
def test_independently_computed_signature_is_accepted(name: str, algorithm: str) -> None:
    src = source({**FORMAT_CONFIGS[name], "algorithm": algorithm})
    result = verify(src, BODY, _independent_headers(name, algorithm))
    assert result.valid, result.reason


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_auto_accepts_prefixed_hex_and_raw_base64(algorithm: str) -> None:
    src = source({"signature_format": "auto", "algorithm": algorithm})
    mac = _mac(algorithm, BODY)
    for value in (
        f"{algorithm}={mac.hex()}",
        f"{algorithm}={mac.hex().upper()}",
        base64.b64encode(mac).decode(),
    ):
        assert verify(src, BODY, {"X-Signature": value}).valid, value
    assert not verify(src, BODY, {"X-Signature": mac.hex()}).valid


@pytest.mark.parametrize("fmt", ["prefixed-hex", "hex", "auto"])
def test_hex_is_accepted_in_either_case(fmt: str) -> None:
    src = source({"signature_format": fmt})
    value = signed(src)["X-Signature"]
    prefix, _, digits = value.rpartition("=")
    upper = f"{prefix}={digits.upper()}" if prefix else digits.upper()
    assert verify(src, BODY, {"X-Signature": upper}).valid


def test_github_documented_test_vector() -> None:
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    src = source({"preset": "github-style"}, secrets=("It's a Secret to Everybody",))
    body = b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert verify(src, body, {"X-Hub-Signature-256": expected}).valid
    assert signed(src, body)["X-Hub-Signature-256"] == expected
    assert not verify(src, body + b"\n", {"X-Hub-Signature-256": expected}).valid


def test_stripe_like_accepts_any_matching_v1_and_ignores_v0() -> None:
    src = source({"preset": "stripe-like"})
    good = _mac("sha256", f"{TS}.".encode() + BODY).hex()
    header = f"t={TS},v1={'0' * 64},v1={good},v0={'f' * 64}"
    assert verify(src, BODY, {"Stripe-Signature": header}).valid
    assert not verify(src, BODY, {"Stripe-Signature": f"t={TS},v0={good}"}).valid


def test_paddle_like_uses_semicolons() -> None:
    src = source({"preset": "paddle-like"})
    good = _mac("sha256", f"{TS}:".encode() + BODY).hex()
    assert verify(src, BODY, {"Paddle-Signature": f"ts={TS};h1={good}"}).valid
    assert not verify(src, BODY, {"Paddle-Signature": f"ts={TS},h1={good}"}).valid


# -- Standard Webhooks, against the standardwebhooks library ---------------------------------

WHSEC = "whsec_" + base64.b64encode(b"k" * 24 + b"\x00\xff\x10\x80-binary").decode()


def _library_headers(secret: str, body: bytes, msg_id: str, at: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def test_standardwebhooks_library_signatures_verify() -> None:
    src = source({"preset": "standard-webhooks"}, secrets=(WHSEC,))
    headers = _library_headers(WHSEC, BODY, "msg_2Lk9", NOW)
    assert verify(src, BODY, headers).valid
    tampered = {**headers, "webhook-id": "msg_other"}
    assert verify(src, BODY, tampered).reason == "signature mismatch"


def test_our_standard_webhooks_signatures_pass_the_library() -> None:
    now = datetime.now(UTC)
    for secret in (WHSEC, SECRET):  # a whsec_ secret, and one hookgate generated
        src = source({"signature_format": "standard-webhooks"}, secrets=(secret,))
        headers = signed(src, BODY, now)
        Webhook(sender_secret(CustomSettings(signature_format="standard-webhooks"), secret)).verify(
            BODY, headers, json_parse=False
        )


def test_standard_webhooks_accepts_several_signatures_and_skips_other_versions() -> None:
    src = source({"signature_format": "standard-webhooks"}, secrets=(WHSEC,))
    headers = _library_headers(WHSEC, BODY, "msg_1", NOW)
    other = _library_headers(WHSEC, b"other", "msg_1", NOW)["webhook-signature"]
    headers["webhook-signature"] = f"v1a,Zm9v {other} {headers['webhook-signature']}"
    assert verify(src, BODY, headers).valid


def test_svix_headers() -> None:
    src = source({"preset": "svix"}, secrets=(WHSEC,))
    headers = {
        k.replace("webhook-", "svix-"): v
        for k, v in _library_headers(WHSEC, BODY, "msg_9", NOW).items()
    }
    assert verify(src, BODY, headers).valid


def test_a_malformed_whsec_secret_fails_without_quoting_it() -> None:
    broken = "whsec_not*base64!"
    src = source({"signature_format": "standard-webhooks"}, secrets=(broken,))
    result = verify(src, BODY, signed(source({"signature_format": "standard-webhooks"})))
    assert not result.valid
    assert "whsec_" in result.reason
    assert broken not in result.reason


# -- rotation ------------------------------------------------------------------------------


@pytest.mark.parametrize("config", CONFIGS, ids=CASE_IDS)
def test_rotation_overlap_then_only_the_new_secret(config: dict[str, Any]) -> None:
    old, new = "old-secret-aaaaaaaaaaaaaaaaaaaa", "new-secret-bbbbbbbbbbbbbbbbbbbb"
    by_old = signed(source(config, secrets=(old,)))
    by_new = signed(source(config, secrets=(new,)))
    during = source(config, secrets=(new, old))
    assert verify(during, BODY, by_old).valid
    assert verify(during, BODY, by_new).valid
    after = source(config, secrets=(new,))
    assert verify(after, BODY, by_new).valid
    assert verify(after, BODY, by_old).reason == "signature mismatch"


# -- timestamps ----------------------------------------------------------------------------


@pytest.mark.parametrize("config", [c for _, c in TIMESTAMPED], ids=[n for n, _ in TIMESTAMPED])
def test_stale_and_future_timestamps_are_rejected(config: dict[str, Any]) -> None:
    src = source({**config, "tolerance": 60})
    edge = timedelta(seconds=60)
    beyond = timedelta(seconds=61)
    assert verify(src, BODY, signed(src, BODY, NOW - edge), at=NOW).valid
    assert verify(src, BODY, signed(src, BODY, NOW + edge), at=NOW).valid
    stale = verify(src, BODY, signed(src, BODY, NOW - beyond), at=NOW)
    future = verify(src, BODY, signed(src, BODY, NOW + beyond), at=NOW)
    assert not stale.valid
    assert "older than the tolerance of 60 s" in stale.reason
    assert not future.valid
    assert "in the future" in future.reason


def test_default_tolerance_is_five_minutes() -> None:
    src = source({"preset": "slack-like"})
    headers = signed(src, BODY, NOW - timedelta(seconds=300))
    assert verify(src, BODY, headers, at=NOW).valid
    assert not verify(src, BODY, headers, at=NOW + timedelta(seconds=1)).valid


def test_iso_timestamps_are_accepted() -> None:
    config = {
        "signature_format": "hex",
        "timestamp_header": "X-Ts",
        "signed_content": "{timestamp}{body}",
    }
    iso = "2026-11-27T11:59:30Z"
    mac = _mac("sha256", iso.encode() + BODY).hex()
    assert verify(source(config), BODY, {"X-Ts": iso, "X-Signature": mac}).valid


def test_a_timestamp_that_is_not_a_time_is_rejected() -> None:
    src = source({"preset": "slack-like"})
    headers = {**signed(src), "X-Slack-Request-Timestamp": "soon"}
    result = verify(src, BODY, headers)
    assert result.reason == "X-Slack-Request-Timestamp is not a Unix timestamp in seconds"


# -- unsigned sources, missing pieces, and what reasons may say ---------------------------


def test_none_accepts_everything_as_unsigned() -> None:
    src = source({"signature_format": "none"})
    assert signed(src) == {}
    result = verify(src, BODY, {})
    assert result.valid
    assert result.unsigned


@pytest.mark.parametrize(
    ("config", "drop", "reason"),
    [
        ({"signature_format": "hex"}, "X-Signature", "missing header X-Signature"),
        ({"preset": "github-style"}, "X-Hub-Signature-256", "missing header X-Hub-Signature-256"),
        (
            {"preset": "slack-like"},
            "X-Slack-Request-Timestamp",
            "missing header X-Slack-Request-Timestamp",
        ),
        ({"preset": "standard-webhooks"}, "webhook-id", "missing header webhook-id"),
        ({"preset": "standard-webhooks"}, "webhook-timestamp", "missing header webhook-timestamp"),
    ],
)
def test_a_missing_header_is_named(config: dict[str, Any], drop: str, reason: str) -> None:
    src = source(config)
    headers = {k: v for k, v in signed(src).items() if k != drop}
    assert verify(src, BODY, headers).reason == reason


@pytest.mark.parametrize(
    ("config", "header", "value", "reason"),
    [
        (
            {"signature_format": "prefixed-hex"},
            "X-Signature",
            "sha1=ab",
            "X-Signature must be 'sha256=<hex>'",
        ),
        ({"signature_format": "hex"}, "X-Signature", "0xab", "X-Signature must be '<hex>'"),
        (
            {"preset": "slack-like"},
            "X-Slack-Signature",
            "v1=ab",
            "X-Slack-Signature must be 'v0=<hex>'",
        ),
        (
            {"preset": "stripe-like"},
            "Stripe-Signature",
            "v1=ab",
            "Stripe-Signature must carry exactly one t= timestamp",
        ),
        (
            {"preset": "stripe-like"},
            "Stripe-Signature",
            f"t={TS}",
            "Stripe-Signature has no v1= signature",
        ),
        (
            {"preset": "stripe-like"},
            "Stripe-Signature",
            f"t={TS},junk",
            "Stripe-Signature must be a list of key=value items separated by ','",
        ),
        (
            {"preset": "standard-webhooks"},
            "webhook-signature",
            "v2,abc",
            "webhook-signature has no 'v1,<base64>' signature",
        ),
    ],
)
def test_malformed_signatures_say_what_is_expected(
    config: dict[str, Any], header: str, value: str, reason: str
) -> None:
    src = source(config)
    assert verify(src, BODY, {**signed(src), header: value}).reason == reason


def test_too_many_signatures_are_refused_cheaply() -> None:
    src = source({"preset": "stripe-like"})
    header = f"t={TS}," + ",".join(f"v1={i:064x}" for i in range(17))
    assert "more than 16 signatures" in verify(src, BODY, {"Stripe-Signature": header}).reason


def test_no_secret_fails_and_cannot_sign() -> None:
    src = source({"signature_format": "hex"}, secrets=())
    assert "no signing secret" in verify(src, BODY, {"X-Signature": "ab"}).reason
    with pytest.raises(ValueError, match="no signing secret"):
        signed(src)


def test_non_canonical_base64_is_refused() -> None:
    src = source({"signature_format": "base64"})
    good = signed(src)[
        "X-Signature"
    ]  # 32 bytes: 44 characters, the last one before '=' has spare bits
    last = good[-2]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    sibling = alphabet[alphabet.index(last) ^ 1]  # same 6-bit group except a spare bit
    assert verify(src, BODY, {"X-Signature": good}).valid
    assert verify(src, BODY, {"X-Signature": good.rstrip("=")}).valid
    assert not verify(src, BODY, {"X-Signature": good[:-2] + sibling + "="}).valid
    assert not verify(src, BODY, {"X-Signature": good + "="}).valid


@pytest.mark.parametrize("config", CONFIGS, ids=CASE_IDS)
def test_reasons_never_reveal_the_secret_or_the_expected_signature(config: dict[str, Any]) -> None:
    src = source(config)
    good = signed(src)
    header = CustomSettings.model_validate(config).signature_header
    assert header is not None
    secrets_and_signatures = [SECRET, *good.values()]
    for attempt in ({}, {**good, header: "x"}, good):
        for body in (BODY, BODY + b" "):
            reason = verify(src, body, attempt).reason
            assert not any(s and s in reason for s in secrets_and_signatures if len(s) > 12), reason
