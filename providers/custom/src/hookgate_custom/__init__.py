"""hookgate provider for any platform: how deliveries are signed and named is set per source.

Public names: :class:`CustomSettings` (the per-source settings, one field per
``hookgate sources create --provider custom`` flag), the presets
(:func:`preset_names`, :func:`get_preset`, ``CustomSettings.from_preset``) and
the secret helpers (:func:`generate_secret`, :func:`sender_secret`,
:func:`validate_secret`).
"""

from __future__ import annotations

from hookgate_custom.keys import generate_secret, sender_secret, validate_secret
from hookgate_custom.plugin import (
    event_schemas,
    identify_event,
    new_secret,
    provider_info,
    sign_payload,
    signing_key,
    source_settings,
    verify_signature,
)
from hookgate_custom.presets import Preset, get_preset, preset_names
from hookgate_custom.settings import SIGNATURE_FORMATS, CustomSettings, SignatureFormat

__all__ = [
    "SIGNATURE_FORMATS",
    "CustomSettings",
    "Preset",
    "SignatureFormat",
    "event_schemas",
    "generate_secret",
    "get_preset",
    "identify_event",
    "new_secret",
    "preset_names",
    "provider_info",
    "sender_secret",
    "sign_payload",
    "signing_key",
    "source_settings",
    "validate_secret",
    "verify_signature",
]
