"""The fake Zendesk as the contract kit drives it: two accounts, one client for both."""

from __future__ import annotations

from collections.abc import Generator, Sequence

import httpx
from hookgate import RemoteHook, Target
from hookgate_zendesk.fake import FakeZendesk


class _PerAccountToken(httpx.Auth):
    """Sends each account's own token: Zendesk tokens are valid on one subdomain only."""

    def __init__(self, fake: FakeZendesk) -> None:
        self.fake = fake
        self.tokens = {sub: fake.issue_token(sub) for sub in fake.accounts}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        subdomain = request.url.path.strip("/").split("/", 1)[0]
        request.headers["Authorization"] = f"Bearer {self.tokens.get(subdomain, '')}"
        yield request


class ZendeskRegistration:
    """:class:`hookgate.testing.RegistrationFake` over :class:`FakeZendesk`."""

    def __init__(self, fake: FakeZendesk | None = None) -> None:
        self.fake = fake or FakeZendesk()
        if "globex" not in self.fake.accounts:
            self.fake.add_account("globex")

    @property
    def targets(self) -> list[Target]:
        return [self.target(sub) for sub in ("acme", "globex")]

    def target(self, subdomain: str) -> Target:
        return Target(type="account", name=subdomain)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.fake.app), auth=_PerAccountToken(self.fake)
        )

    def add_hook(
        self, target: Target, url: str, events: Sequence[str], *, active: bool = True
    ) -> str:
        hook = self.fake.add_webhook(target.name, url, list(events), name="hookgate by hand")
        hook.status = "active" if active else "inactive"
        return hook.id

    def hooks_on(self, target: Target) -> list[RemoteHook]:
        return [
            RemoteHook(
                remote_id=h.id,
                target=target,
                url=h.endpoint,
                events=tuple(h.subscriptions),
                active=h.status == "active",
            )
            for h in self.fake.accounts[target.name].webhooks.values()
        ]

    def delete_behind_back(self, remote_id: str) -> None:
        for account in self.fake.accounts.values():
            account.webhooks.pop(remote_id, None)

    def refuse_create_on(self, target: Target) -> None:
        self.fake.refused.add(target.name)

    def fail_next(self, status: int, *, retry_after: int) -> None:
        self.fake.fail_next(status, retry_after=retry_after)
