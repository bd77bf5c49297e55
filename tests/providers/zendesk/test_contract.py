"""The contract kit for Zendesk sources: manual (made in Admin Center) and registered."""

from datetime import UTC, datetime
from typing import Any, ClassVar

from hookgate.testing import ProviderContract, RegistrationContract, SignedVector

from tests.providers.zendesk.support import ZendeskRegistration
from tests.providers.zendesk.test_deliveries import (
    VECTOR_BODY,
    VECTOR_SIGNATURE,
    VECTOR_STAMP,
)

#: Where the in-process fake answers (conftest sets the same for the registration hooks).
AT_THE_FAKE: dict[str, Any] = {"url_template": "https://zendesk.test/{subdomain}"}


class TestZendeskContract(ProviderContract):
    provider = "zendesk"
    installation: ClassVar[dict[str, Any]] = AT_THE_FAKE

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        return {"X-Zendesk-Webhook-Invocation-Id": delivery_id}, payload


class TestZendeskTestRequestsContract(ProviderContract):
    """A source opted in to builder test requests: the vector signed with Zendesk's public
    test secret verifies although the source's own secret is another."""

    provider = "zendesk"
    installation: ClassVar[dict[str, Any]] = AT_THE_FAKE
    source_config: ClassVar[dict[str, Any]] = {"accept_test_requests": True}
    known_good = SignedVector(
        secret="zd-own-secret-0123456789abcdef-0123",
        body=VECTOR_BODY,
        headers={
            "X-Zendesk-Webhook-Signature": VECTOR_SIGNATURE,
            "X-Zendesk-Webhook-Signature-Timestamp": VECTOR_STAMP,
        },
        received_at=datetime(2021, 3, 25, 5, 9, 30, tzinfo=UTC),
    )

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        return {"X-Zendesk-Webhook-Invocation-Id": delivery_id}, payload


class TestZendeskRegisteredContract(RegistrationContract):
    """Event-subscribed webhooks hookgate registers through the fake Zendesk."""

    provider = "zendesk"
    installation: ClassVar[dict[str, Any]] = AT_THE_FAKE
    connection_id = "conn_contract"
    registration_events = ("zen:event-type:ticket.created", "zen:event-type:ticket.comment_added")
    connection_params: ClassVar[dict[str, str]] = {"subdomain": "acme"}
    refused_connection_params: ClassVar[tuple[dict[str, str], ...]] = (
        {},
        {"subdomain": "evil.example.com/x"},
        {"subdomain": "acme.evil.com"},
        {"subdomain": "a@b"},
        {"subdomain": "acme:8080"},
        {"subdomain": "-acme"},
        {"subdomain": "acme", "host": "evil.example.com"},
    )

    def registration_fake(self) -> ZendeskRegistration:
        return ZendeskRegistration()

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        return {"X-Zendesk-Webhook-Invocation-Id": delivery_id}, payload
