"""Every signature format and every preset passes the provider contract kit."""

from __future__ import annotations

import base64
from typing import Any

from hookgate.testing import ProviderContract
from hookgate_custom import preset_names
from hookgate_custom.settings import CustomSettings

from tests.providers.custom.support import FORMAT_CONFIGS


class CustomContract(ProviderContract):
    """The kit for one custom-source configuration: ids go where the configuration reads them."""

    provider = "custom"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        settings = CustomSettings.model_validate(cls.source_config)
        cls.delivery_ids = bool(settings.delivery_id_header or settings.delivery_id_field)

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        settings = CustomSettings.model_validate(self.source_config)
        headers = {settings.event_type_header: event_type} if settings.event_type_header else {}
        if settings.delivery_id_header:
            headers[settings.delivery_id_header] = delivery_id
        body = dict(payload)
        for path, value in (
            (settings.event_type_field, event_type),
            (settings.delivery_id_field, delivery_id),
        ):
            if path:
                *parents, leaf = path.split(".")
                node = body
                for part in parents:
                    node = node.setdefault(part, {})
                node[leaf] = value
        return headers, body


class TestCustomContract(CustomContract):
    provider = "custom"
    source_config = {"signature_header": "X-Signature", "algorithm": "sha256"}


class TestCustomSha512Contract(CustomContract):
    provider = "custom"
    source_config = {"signature_header": "X-Hub-Signature", "algorithm": "sha512"}


class TestCustomSha1Contract(CustomContract):
    provider = "custom"
    source_config = {"signature_format": "prefixed-hex", "algorithm": "sha1"}


class TestStandardWebhooksWhsecContract(CustomContract):
    """A ``whsec_`` secret, as Standard Webhooks senders hand them out."""

    provider = "custom"
    source_config = {"signature_format": "standard-webhooks"}
    secret = "whsec_" + base64.b64encode(b"contract-key-0123456789abcdef012").decode()


class TestUnsignedContract(CustomContract):
    provider = "custom"
    source_config = {"signature_format": "none"}


def _contract(name: str, config: dict[str, Any]) -> type[ProviderContract]:
    return type(name, (CustomContract,), {"provider": "custom", "source_config": config})


# One contract class per format configuration and per preset, so a new preset
# in presets.toml is covered without touching this file.
for _name, _config in FORMAT_CONFIGS.items():
    _class = "TestFormat" + _name.title().replace("-", "") + "Contract"
    globals()[_class] = _contract(_class, _config)

for _preset in preset_names():
    _class = "TestPreset" + _preset.title().replace("-", "") + "Contract"
    globals()[_class] = _contract(_class, {"preset": _preset})
