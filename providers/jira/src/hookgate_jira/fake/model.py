"""The fake Atlassian's state: OAuth apps, grants, sites, projects, dynamic webhooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class FakeSite:
    cloud_id: str
    name: str
    url: str
    projects: list[dict[str, str]] = field(default_factory=list)
    #: Scopes the grant has on this site; a Confluence-only site has no Jira scope.
    scopes: tuple[str, ...] = ("read:jira-work", "manage:jira-webhook")


@dataclass
class FakeGrant:
    """One consent: one refresh-token chain (rotating) and the user who gave it."""

    client_id: str
    account_id: str
    scope: str
    refresh_token: str | None
    #: Refresh tokens this grant issued before the current one: reusing one revokes it all.
    used_refresh_tokens: set[str] = field(default_factory=set)
    revoked: bool = False


@dataclass
class FakeToken:
    access_token: str
    grant: FakeGrant
    expires_at: float


@dataclass
class FakeWebhook:
    id: int
    cloud_id: str
    client_id: str
    account_id: str
    url: str
    events: list[str]
    jql: str
    expires_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "jqlFilter": self.jql,
            # The schema says int64 epoch ms; every example shows a string. The fake
            # answers the string form on lists and the number on refresh: hookgate parses both.
            "expirationDate": self.expires_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        }


@dataclass
class Delivery:
    """A webhook delivery the fake would send: where, with which headers and body."""

    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorded:
    method: str
    path: str
    body: Any


__all__ = [
    "Delivery",
    "FakeGrant",
    "FakeSite",
    "FakeToken",
    "FakeWebhook",
    "Recorded",
]
