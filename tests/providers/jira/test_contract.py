from typing import Any

from hookgate.testing import ProviderContract


class TestJiraContract(ProviderContract):
    provider = "jira"

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        return {"X-Atlassian-Webhook-Identifier": delivery_id}, payload


class TestJiraUnsignedContract(TestJiraContract):
    """Sources for OAuth-registered webhooks, which Atlassian does not sign."""

    source_config = {"signed": False}
