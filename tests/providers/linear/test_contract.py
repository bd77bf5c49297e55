"""hookgate's contract kit, run on the Linear provider."""

from datetime import UTC, datetime
from typing import Any

from hookgate.testing import ProviderContract, SignedVector
from hookgate_linear import DELIVERY_HEADER, EVENT_HEADER

# Signed by Node's crypto, as Linear's SDK computes it (createHmac sha256 over the raw body,
# hex); received 1.5 s after its webhookTimestamp.
NODE_SIGNED = SignedVector(
    secret="lin_wh_kit_vector_secret_0123456789abcdef",
    body=(
        b'{"action":"create","type":"Issue","createdAt":"2026-11-30T11:30:05.120Z","data":{"id":'
        b'"8c3e5f2a-1d4b-4a6e-9f70-2b1c3d4e5f60","identifier":"ENG-482","title":"Checkout fails'
        b' for carts over 100 items"},"organizationId":"c0ffee00-1234-4abc-8def-0123456789ab",'
        b'"webhookTimestamp":1764502205184,"webhookId":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"}'
    ),
    headers={
        "Linear-Signature": "2e7b69f2b5bcba855031137c2bce5bc75344794e8c489841f88c60b9b8820a64",
        "Linear-Event": "Issue",
        "Linear-Delivery": "0d7e2c4a-5b6f-4a8e-9c1d-2e3f4a5b6c7d",
    },
    received_at=datetime.fromtimestamp(1764502206.684, UTC),
)


class TestLinearContract(ProviderContract):
    provider = "linear"
    known_good = NODE_SIGNED

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        """Linear names the entity in Linear-Event and the delivery in Linear-Delivery."""
        return {EVENT_HEADER: payload["type"], DELIVERY_HEADER: delivery_id}, payload
