from hookgate.testing import ProviderContract


class TestZendeskContract(ProviderContract):
    provider = "zendesk"
