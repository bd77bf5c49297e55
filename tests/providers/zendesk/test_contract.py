from typing import Any

from hookgate.testing import ProviderContract


class TestZendeskContract(ProviderContract):
    provider = "zendesk"

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        return {}, {**payload, "id": delivery_id}  # Zendesk puts the event id in the body
