from collections.abc import Sequence
from typing import Any

import httpx
from hookgate import RemoteHook, Target
from hookgate.testing import RegistrationContract, RegistrationFake, SignedVector
from hookgate_github.fake import FakeGitHub

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


class GitHubRegistration:
    """The kit's RegistrationFake over the fake GitHub: two repositories the user administers."""

    def __init__(self) -> None:
        self.github = FakeGitHub()
        for name in ("octo-org/webapp", "octo-org/docs"):
            self.github.add_repo(name)
        self.token = self.github.issue_token(client_id=self.github.client_id)
        self.targets = [Target(type="repository", name=n) for n in self.github.repos]

    def client(self) -> httpx.AsyncClient:
        return self.github.client(self.token)

    def add_hook(
        self, target: Target, url: str, events: Sequence[str], *, active: bool = True
    ) -> str:
        hook = self.github.add_hook("repository", target.name, url, events=tuple(events))
        hook.active = active
        return str(hook.id)

    def hooks_on(self, target: Target) -> list[RemoteHook]:
        return [
            RemoteHook(
                remote_id=str(h.id),
                target=target,
                url=h.url,
                events=tuple(h.events),
                active=h.active,
            )
            for h in self.github.hooks_on(target.name)
        ]

    def delete_behind_back(self, remote_id: str) -> None:
        self.github.delete_hook_behind_back(remote_id)

    def refuse_create_on(self, target: Target) -> None:
        self.github.repos[target.name].admin = False  # GitHub answers 403 (or 404) on its hooks

    def fail_next(self, status: int, *, retry_after: int) -> None:
        self.github.rate_limit(kind="secondary", status=429, wait=retry_after)


class TestGitHubContract(RegistrationContract):
    """The whole kit; registration through core's reconcile loop against the fake GitHub."""

    provider = "github"
    known_good = GITHUB_DOCS_VECTOR
    registration_events = ("pull_request", "issues")

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        return {"X-GitHub-Event": event_type, "X-GitHub-Delivery": delivery_id}, payload

    def handshake(self) -> tuple[dict[str, str], Any]:
        ping = {"zen": "Design for failure.", "hook_id": 30, "hook": {"type": "Repository"}}
        return {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "72d3162e-cc78-11e3"}, ping

    def registration_fake(self) -> RegistrationFake:
        return GitHubRegistration()
