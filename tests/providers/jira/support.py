"""The fake Atlassian as the contract kit drives it, and JWTs made by an independent library."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt as pyjwt
from hookgate import RemoteHook, Target
from hookgate_jira.fake import FakeAtlassian
from hookgate_jira.registration import desired_jql

CLIENT_SECRET = "jira-contract-client-secret-0123456789abcdef"
PREVIOUS_CLIENT_SECRET = "jira-contract-previous-secret-fedcba9876543210"


def bearer(
    secret: str, *, at: datetime | None = None, algorithm: str = "HS256", **claims: Any
) -> str:
    """``Authorization: Bearer <JWT>`` as Atlassian sends it, made with PyJWT."""
    now = at or datetime.now(UTC)
    body = {"iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp())}
    body.update(claims)
    return "Bearer " + pyjwt.encode(body, secret, algorithm=algorithm)


def site_target(cloud_id: str, *projects: str) -> Target:
    return Target(type="site", name=cloud_id, projects=list(projects))


class AtlassianRegistration:
    """:class:`hookgate.testing.RegistrationFake` over :class:`FakeAtlassian`."""

    def __init__(self, fake: FakeAtlassian | None = None) -> None:
        self.fake = fake or FakeAtlassian()

    @property
    def targets(self) -> list[Target]:
        first, second = self.fake.sites[:2]
        return [site_target(first.cloud_id, "ENG", "OPS"), site_target(second.cloud_id, "LAB")]

    def client(self) -> httpx.AsyncClient:
        return self.fake.client()

    def add_hook(
        self, target: Target, url: str, events: Sequence[str], *, active: bool = True
    ) -> str:
        del active  # Jira's dynamic webhooks have no on/off switch
        return str(self.fake.add_webhook(target.name, url, list(events), desired_jql(target)).id)

    def hooks_on(self, target: Target) -> list[RemoteHook]:
        return [
            RemoteHook(
                remote_id=str(w.id),
                target=target,
                url=w.url,
                events=tuple(w.events),
                expires_at=w.expires_at,
            )
            for w in self.fake.on_site(target.name)
        ]

    def delete_behind_back(self, remote_id: str) -> None:
        self.fake.delete_behind_back(int(remote_id))

    def refuse_create_on(self, target: Target) -> None:
        self.fake.refuse_site(target.name)

    def fail_next(self, status: int, *, retry_after: int) -> None:
        self.fake.fail_next(status, retry_after=retry_after)
