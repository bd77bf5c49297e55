"""How strong a source's signing secret is, however it is spelled.

A secret's length says little: ``whsec_-A========`` is 16 characters and
decodes to a 1-byte key. The provider says what key material a secret stands
for (its ``signing_key`` hook); core refuses anything under 128 bits, and
anything the provider cannot sign with, before it is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hookgate.services.common import Invalid
from hookgate.types import SourceContext

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

#: Bytes of key material a signing secret must give (128 bits).
MIN_KEY_BYTES = 16


def check_signing_secret(
    runtime: Runtime, provider: str, config: Mapping[str, Any], secret: str
) -> None:
    """Raise :class:`Invalid` unless ``secret`` gives at least 128 bits of key material
    to a source of ``provider`` with settings ``config``. The message never quotes it."""
    source = SourceContext("", provider, "", "", (), config)
    try:
        key = runtime.plugins.provider(provider).signing_key(source, secret)
    except ValueError as exc:
        raise Invalid(f"the signing secret cannot be used: {exc}") from None
    if len(key) < MIN_KEY_BYTES:
        raise Invalid(
            f"the signing secret gives {len(key) * 8} bits of key material, fewer than the "
            f"{MIN_KEY_BYTES * 8} required (e.g. at least {MIN_KEY_BYTES} characters, or "
            f"{MIN_KEY_BYTES} bytes of base64 after whsec_); omit it to generate one"
        )


__all__ = ["MIN_KEY_BYTES", "check_signing_secret"]
