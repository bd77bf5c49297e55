from hookgate.testing import ProviderContract


class TestJiraContract(ProviderContract):
    provider = "jira"


class TestJiraUnsignedContract(ProviderContract):
    """Sources for OAuth-registered webhooks, which Atlassian does not sign."""

    provider = "jira"
    source_config = {"signed": False}
