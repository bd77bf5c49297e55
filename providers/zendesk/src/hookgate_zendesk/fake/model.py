"""The fake Zendesk's state: accounts (one per subdomain), their users and webhooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeWebhook:
    id: str
    name: str
    endpoint: str
    subscriptions: list[str]
    status: str = "active"
    http_method: str = "POST"
    request_format: str = "json"
    signing_secret: str = ""
    created_by: str = ""

    def as_json(self) -> dict[str, Any]:  # the secret only through its own endpoint
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "endpoint": self.endpoint,
            "http_method": self.http_method,
            "request_format": self.request_format,
            "subscriptions": list(self.subscriptions),
            "created_by": self.created_by,
        }


@dataclass
class FakeAccount:
    subdomain: str
    account_id: int
    #: The user who consents: ``admin``, ``agent`` (no webhook rights) or ``end-user``.
    role: str = "admin"
    trial: bool = False
    webhooks: dict[str, FakeWebhook] = field(default_factory=dict)


@dataclass
class Delivery:
    """A webhook request the fake would send: where, with which headers and body."""

    url: str
    headers: dict[str, str]
    body: bytes


__all__ = ["Delivery", "FakeAccount", "FakeWebhook"]
