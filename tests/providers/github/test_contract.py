from hookgate.testing import ProviderContract


class TestGitHubContract(ProviderContract):
    provider = "github"

    def headers_for_event(self, event_type: str) -> dict[str, str]:
        return {"X-GitHub-Event": event_type, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab"}
