"""No edit of a signed delivery is accepted, for every format and algorithm.

Each test signs a delivery, changes one thing (body bytes, the signature
header, the prefix, the encoding of the digest, the timestamp) and expects a
rejection. The only edits that may still verify are the spellings a format
accepts on purpose: hex of either case, base64 in either alphabet with or
without padding, surrounding whitespace. :func:`_equivalent` names them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from hookgate_custom import CustomSettings
from hookgate_custom.schemes import SCHEMES, parse_header, render_header
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.providers.custom.support import BODY, NOW, SECRET, format_cases, signed, source, verify

CASES = format_cases()
IDS = [name for name, _ in CASES]
CONFIGS = [config for _, config in CASES]
TIMESTAMPED = [(n, c) for n, c in CASES if CustomSettings.model_validate(c).uses_timestamp]

HEX_FORMATS = ("prefixed-hex", "hex", "auto")
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _header(config: dict[str, Any]) -> str:
    header = CustomSettings.model_validate(config).signature_header
    assert header is not None
    return header


def _equivalent(config: dict[str, Any], original: str, mutated: str) -> bool:
    """Whether ``mutated`` is only another accepted spelling of ``original``."""
    fmt = CustomSettings.model_validate(config).signature_format
    a, b = original.strip(), mutated.strip()
    if fmt in HEX_FORMATS:
        return a.lower() == b.lower()
    urlsafe = str.maketrans("-_", "+/")
    return a.rstrip("=").translate(urlsafe) == b.rstrip("=").translate(urlsafe)


def _edit(value: str, position: int, kind: str, char: str) -> str:
    index = position % (len(value) + (kind == "insert"))
    if kind == "insert":
        return value[:index] + char + value[index:]
    if kind == "delete":
        return value[:index] + value[index + 1 :]
    return value[:index] + char + value[index + 1 :]


EDITS = st.tuples(
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["insert", "delete", "replace"]),
    st.one_of(
        st.sampled_from(list("0123456789abcdefABCDEF+/-_=,;. vtT")),
        st.characters(codec="latin-1"),
    ),
)


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
@FAST
@given(body=st.binary(max_size=200), flip=st.tuples(st.integers(0, 10_000), st.integers(1, 255)))
def test_changed_body_is_rejected(
    config: dict[str, Any], body: bytes, flip: tuple[int, int]
) -> None:
    src = source(config)
    headers = signed(src)
    position, mask = flip
    near = bytearray(BODY)
    near[position % len(near)] ^= mask  # a one-byte change of the real body
    for other in (bytes(near), body, BODY + b"\n", BODY[:-1]):
        if other != BODY:
            assert not verify(src, other, headers).valid


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
@FAST
@given(edit=EDITS)
def test_edited_signature_header_is_rejected(
    config: dict[str, Any], edit: tuple[int, str, str]
) -> None:
    src = source(config)
    headers = signed(src)
    name = _header(config)
    mutated = _edit(headers[name], *edit)
    assume(not _equivalent(config, headers[name], mutated))
    assert not verify(src, BODY, {**headers, name: mutated}).valid


def _prefix_of(config: dict[str, Any]) -> str:
    settings_ = CustomSettings.model_validate(config)
    if settings_.signature_format in ("prefixed-hex", "auto"):
        return f"{settings_.algorithm}="
    if settings_.signature_format == "standard-webhooks":
        return "v1,"
    return settings_.signature_prefix or ""


PREFIX_CASES = [(n, c) for n, c in CASES if _prefix_of(c)]


@pytest.mark.parametrize("config", [c for _, c in PREFIX_CASES], ids=[n for n, _ in PREFIX_CASES])
@FAST
@given(
    prefix=st.one_of(
        st.sampled_from(
            ["", "sha1=", "sha256=", "sha512=", "SHA256=", "v0=", "v1=", "v1,", "v2,", "V1,"]
        ),
        st.text(max_size=8),
    )
)
def test_changed_prefix_is_rejected(config: dict[str, Any], prefix: str) -> None:
    src = source(config)
    headers = signed(src)
    name = _header(config)
    original = _prefix_of(config)
    assume(prefix != original)
    mutated = prefix + headers[name][len(original) :]
    assert not verify(src, BODY, {**headers, name: mutated}).valid


def _spellings(digest: bytes) -> dict[str, str]:
    b64 = base64.b64encode(digest).decode()
    url = base64.urlsafe_b64encode(digest).decode()
    return {
        "hex": digest.hex(),
        "HEX": digest.hex().upper(),
        "base64": b64,
        "base64-unpadded": b64.rstrip("="),
        "base64-url": url,
        "base32": base64.b32encode(digest).decode(),
        "sha1=hex": f"sha1={digest.hex()}",
        "sha256=hex": f"sha256={digest.hex()}",
        "sha512=hex": f"sha512={digest.hex()}",
        "sha256=base64": f"sha256={b64}",
        "v1,base64": f"v1,{b64}",
        "v1,hex": f"v1,{digest.hex()}",
        "v0=hex": f"v0={digest.hex()}",
        "v0=base64": f"v0={b64}",
    }


def _accepted_spellings(settings_: CustomSettings) -> set[str]:
    """The labels of :func:`_spellings` that the format accepts on purpose."""
    fmt, prefix = settings_.signature_format, settings_.signature_prefix
    prefixed_hex = {f"{settings_.algorithm}=hex"}
    base64s = {"base64", "base64-unpadded", "base64-url"}
    by_format = {
        "prefixed-hex": prefixed_hex,
        "hex": {f"{prefix}hex"} if prefix else {"hex", "HEX"},
        "base64": {f"{prefix}base64"} if prefix else base64s,
        "auto": prefixed_hex | base64s,
        "standard-webhooks": {"v1,base64"},
    }
    return by_format[fmt]


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_the_right_digest_in_the_wrong_encoding_is_rejected(config: dict[str, Any]) -> None:
    """The correct HMAC, spelt as another format would spell it, does not verify."""
    settings_ = CustomSettings.model_validate(config)
    src = source(config)
    headers = signed(src)
    name = _header(config)
    stamp = str(int(NOW.timestamp()))
    accepted = _accepted_spellings(settings_)
    for label, spelling in _spellings(_digest_from(settings_, headers[name])).items():
        mutated = render_header(settings_, spelling, stamp)
        result = verify(src, BODY, {**headers, name: mutated})
        assert result.valid == (label in accepted), f"{label}: {result.reason or 'accepted'}"


def _digest_from(settings_: CustomSettings, value: str) -> bytes:
    parsed = parse_header(settings_, value)
    assert not isinstance(parsed, str)
    digest = SCHEMES[settings_.signature_format].decode(settings_, parsed.signatures[0])
    assert digest is not None
    return digest


@pytest.mark.parametrize("config", [c for _, c in TIMESTAMPED], ids=[n for n, _ in TIMESTAMPED])
@FAST
@given(shift=st.integers(min_value=-(10**6), max_value=10**6).filter(lambda s: s != 0))
def test_changed_timestamp_is_rejected(config: dict[str, Any], shift: int) -> None:
    src = source(config)
    headers = signed(src)
    stamp = str(int(NOW.timestamp()))
    changed = str(int(NOW.timestamp()) + shift)
    mutated = {k: v.replace(stamp, changed) for k, v in headers.items()}
    assert mutated != headers
    assert not verify(src, BODY, mutated).valid


def test_an_independent_mac_under_another_algorithm_is_rejected() -> None:
    src = source({"signature_format": "hex", "algorithm": "sha256"})
    for alg in ("sha1", "sha512", "md5"):
        mac = hmac.new(SECRET.encode(), BODY, getattr(hashlib, alg)).hexdigest()
        assert not verify(src, BODY, {"X-Signature": mac}).valid
