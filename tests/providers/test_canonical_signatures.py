"""Each built-in scheme accepts one spelling of a digest: a hex or base64 signature edited
into another spelling of the same bytes (spaces inside, other case, other alphabet, missing
padding) is refused, the canonical one verifies."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hookgate.plugins import PluginManager
from hookgate.signing import canonical_base64, canonical_hex
from hookgate.types import Headers, SourceContext, WebhookRequest

SECRET = "a-signing-secret-of-enough-length-0123"
BODY = json.dumps({"action": "opened", "type": "Issue", "webhookTimestamp": 0}).encode()


def respellings(value: str) -> list[str]:
    """Other spellings of the digest in a signature header value (same bytes)."""
    head, _, digest = value.rpartition("=") if "=" in value.rstrip("=") else ("", "", value)
    prefix = head + "=" if head else ""
    if digest and all(c in "0123456789abcdef" for c in digest):
        spaced = " ".join(digest[i : i + 2] for i in range(0, len(digest), 2))
        return [prefix + spaced, prefix + digest.upper(), prefix + digest[:2] + " " + digest[2:]]
    spellings = [value.rstrip("="), value.replace("+", "-").replace("/", "_"), value + "\n"]
    spellings.append(value[:4] + " " + value[4:])
    return [s for s in spellings if s != value]


@pytest.mark.parametrize("provider", ["github", "jira", "linear", "zendesk"])
def test_only_the_canonical_spelling_verifies(provider: str) -> None:
    hooks = PluginManager([provider]).provider(provider)
    now = datetime.now(UTC)
    source = SourceContext("src_1", provider, "s", "https://hg.test/hooks/src_1/u", (SECRET,))
    signed = dict(hooks.sign_payload(source, BODY, now))
    (name,) = [n for n in signed if "signature" in n.lower() and "timestamp" not in n.lower()]

    def verify(headers: dict[str, str]) -> bool:
        request = WebhookRequest("POST", "/", Headers(headers), BODY, now)
        return hooks.verify_signature(source, request).valid

    assert verify(signed)
    variants = respellings(signed[name])
    assert variants
    for variant in variants:
        assert not verify({**signed, name: variant}), f"{provider} accepted {variant!r}"


def test_canonical_decoders() -> None:
    assert canonical_hex("00ff") == b"\x00\xff"
    assert [canonical_hex(v) for v in ("00FF", "00 ff", " 00ff", "0ff", "0x00ff")] == [None] * 5
    assert canonical_base64("AP8=") == b"\x00\xff"
    # spare bits set, no padding, URL-safe alphabet, whitespace: refused
    assert [canonical_base64(v) for v in ("AP9=", "AP8", "-_8=", "AP8=\n", "A P8=")] == [None] * 5
