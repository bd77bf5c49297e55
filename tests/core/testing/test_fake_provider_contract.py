"""The kit's own fake provider passes the whole kit, registration included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hookgate.testing import (
    FakeAPIRegistration,
    FakeProvider,
    FakeProviderAPI,
    RegistrationContract,
    RegistrationFake,
)


class TestFakeProviderContract(RegistrationContract):
    provider = "fake"
    plugin = FakeProvider(FakeProviderAPI())

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        return {"X-Fake-Event": event_type, "X-Fake-Delivery": delivery_id}, payload

    def handshake(self) -> tuple[dict[str, str], Any]:
        return {"X-Fake-Event": "ping", "X-Fake-Delivery": "ping-1"}, {"zen": "hello"}

    def registration_fake(self) -> RegistrationFake:
        targets = [{"type": "project", "name": n} for n in ("alpha", "beta")]
        return FakeAPIRegistration(FakeProviderAPI(targets=targets, hook_ttl=timedelta(days=30)))
