from typing import Any

from hookgate.testing import ProviderContract, SignedVector

# GitHub's own example ("Validating webhook deliveries", docs.github.com).
GITHUB_DOCS_VECTOR = SignedVector(
    secret="It's a Secret to Everybody",
    body=b"Hello, World!",
    headers={
        "X-Hub-Signature-256": (
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        ),
        "X-GitHub-Event": "ping",
    },
)


class TestGitHubContract(ProviderContract):
    provider = "github"
    known_good = GITHUB_DOCS_VECTOR

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        return {"X-GitHub-Event": event_type, "X-GitHub-Delivery": delivery_id}, payload

    def handshake(self) -> tuple[dict[str, str], Any]:
        ping = {"zen": "Design for failure.", "hook_id": 30, "hook": {"type": "Repository"}}
        return {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "72d3162e-cc78-11e3"}, ping
