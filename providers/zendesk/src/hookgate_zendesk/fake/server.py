"""The fake Zendesk and the knobs tests turn: ``FakeZendesk().app`` (ASGI)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

import httpx
from hookgate.signing import b64_signature
from hookgate.testing.fake_oauth import FakeOAuthServer
from starlette.applications import Starlette

from hookgate_zendesk.deliveries import stamp
from hookgate_zendesk.fake.model import Delivery, FakeAccount, FakeWebhook
from hookgate_zendesk.fake.routes import build_app

ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class FakeZendesk:
    """Zendesk accounts on subdomains, with OAuth, the webhooks API and deliveries.

    One account (``acme``) and one local OAuth client on it exist from the start.
    Access tokens live ``oauth.access_lifetime`` seconds (Zendesk: 30 min) and a
    refresh deletes the previous pair.
    """

    def __init__(
        self,
        *,
        base_url: str = "https://zendesk.test",
        client_id: str = "zdg-hookgate-fake",
        client_secret: str = "zd-fake-client-secret-0123456789abcdef",  # noqa: S107
        callback_url: str = "https://hookgate.test/oauth/zendesk/callback",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.callback_url = callback_url
        self.oauth = FakeOAuthServer(access_lifetime=1800)
        self.accounts: dict[str, FakeAccount] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.next_failure: tuple[int, str] | None = None
        #: Accounts where creating a webhook is refused (the user lost admin rights).
        self.refused: set[str] = set()
        self._ids = itertools.count(1)
        self._invocations = itertools.count(8350205582)
        self.add_account("acme")
        self.app: Starlette = build_app(self)

    # -- setting the scene ------------------------------------------------------------

    def add_account(self, subdomain: str, *, trial: bool = False) -> FakeAccount:
        account = FakeAccount(subdomain, 12514400 + len(self.accounts), trial=trial)
        self.accounts[subdomain] = account
        self.oauth.register_client(
            self.client_id if not self.oauth.clients else f"{self.client_id}-{subdomain}",
            self.client_secret,
            self.callback_url,
            realm=subdomain,
        )
        return account

    def settings_env(self) -> dict[str, str]:
        return {
            "HOOKGATE_ZENDESK_URL_TEMPLATE": self.base_url + "/{subdomain}",
            "HOOKGATE_ZENDESK_CLIENT_ID": self.client_id,
            "HOOKGATE_ZENDESK_CLIENT_SECRET": self.client_secret,
        }

    def issue_token(self, subdomain: str = "acme", scope: str = "read write") -> str:
        client = next(c for c in self.oauth.clients.values() if c.realm == subdomain)
        return self.oauth.issue(client.client_id, realm=subdomain, scope=scope).access_token

    def client(self, token: str) -> httpx.AsyncClient:
        """What core hands to the hooks: a client sending ``token``, reaching the fake."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            headers={"Authorization": f"Bearer {token}"},
        )

    def fail_next(self, status: int, *, retry_after: int) -> None:
        """The next API request answers ``status`` with ``Retry-After``."""
        self.next_failure = (status, str(retry_after))

    def new_id(self) -> str:
        """A ULID-looking id, ordered by creation (Zendesk webhook ids are ULID strings)."""
        n = next(self._ids)
        digits = "".join(ULID_ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(26)))
        return "01" + digits[2:]

    def add_webhook(
        self, subdomain: str, endpoint: str, subscriptions: list[str], *, name: str = "by hand"
    ) -> FakeWebhook:
        hook = FakeWebhook(self.new_id(), name, endpoint, list(subscriptions))
        hook.signing_secret = "by-hand-secret-0123456789abcdef"  # noqa: S105
        self.accounts[subdomain].webhooks[hook.id] = hook
        return hook

    def webhooks_to(self, subdomain: str, endpoint: str) -> list[FakeWebhook]:
        hooks = self.accounts[subdomain].webhooks.values()
        return [h for h in hooks if h.endpoint.rstrip("/") == endpoint.rstrip("/")]

    # -- deliveries ---------------------------------------------------------------------

    def delivery(
        self,
        hook: FakeWebhook,
        event_type: str,
        detail: dict[str, Any],
        *,
        when: datetime | None = None,
        secret: str | None = None,
    ) -> Delivery:
        """The request Zendesk sends for one event (signed with the webhook's secret)."""
        now = when or datetime.now(UTC)
        account = next(a for a in self.accounts.values() if hook.id in a.webhooks)
        body = json.dumps(
            {
                "type": event_type,
                "account_id": account.account_id,
                "id": f"ev-{next(self._ids)}",
                "time": stamp(now),
                "zendesk_event_version": "2022-11-06",
                "subject": f"zen:ticket:{detail.get('id', '1')}",
                "detail": detail,
                "event": {},
            }
        ).encode()
        when_text = stamp(now)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Zendesk Webhook",
            "X-Zendesk-Account-Id": str(account.account_id),
            "X-Zendesk-Webhook-Id": hook.id,
            "X-Zendesk-Webhook-Invocation-Id": str(next(self._invocations)),
            "X-Zendesk-Webhook-Signature": b64_signature(
                "sha256", secret or hook.signing_secret, when_text.encode() + body
            ),
            "X-Zendesk-Webhook-Signature-Timestamp": when_text,
        }
        return Delivery(hook.endpoint, headers, body)


__all__ = ["FakeZendesk"]
