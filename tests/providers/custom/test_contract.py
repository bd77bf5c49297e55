"""Every signature format and every preset passes the provider contract kit."""

from __future__ import annotations

import base64
from typing import Any

from hookgate.testing import ProviderContract
from hookgate_custom import preset_names

from tests.providers.custom.support import FORMAT_CONFIGS


class TestCustomContract(ProviderContract):
    provider = "custom"
    source_config = {"signature_header": "X-Signature", "algorithm": "sha256"}


class TestCustomSha512Contract(ProviderContract):
    provider = "custom"
    source_config = {"signature_header": "X-Hub-Signature", "algorithm": "sha512"}


class TestCustomSha1Contract(ProviderContract):
    provider = "custom"
    source_config = {"signature_format": "prefixed-hex", "algorithm": "sha1"}


class TestStandardWebhooksWhsecContract(ProviderContract):
    """A ``whsec_`` secret, as Standard Webhooks senders hand them out."""

    provider = "custom"
    source_config = {"signature_format": "standard-webhooks"}
    secret = "whsec_" + base64.b64encode(b"contract-key-0123456789abcdef012").decode()


class TestUnsignedContract(ProviderContract):
    provider = "custom"
    source_config = {"signature_format": "none"}


def _contract(name: str, config: dict[str, Any]) -> type[ProviderContract]:
    return type(name, (ProviderContract,), {"provider": "custom", "source_config": config})


# One contract class per format configuration and per preset, so a new preset
# in presets.toml is covered without touching this file.
for _name, _config in FORMAT_CONFIGS.items():
    _class = "TestFormat" + _name.title().replace("-", "") + "Contract"
    globals()[_class] = _contract(_class, _config)

for _preset in preset_names():
    _class = "TestPreset" + _preset.title().replace("-", "") + "Contract"
    globals()[_class] = _contract(_class, {"preset": _preset})
