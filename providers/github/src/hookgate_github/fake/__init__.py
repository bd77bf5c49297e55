"""A fake GitHub for tests: OAuth pages and the REST endpoints hookgate uses, as one ASGI app.

It follows GitHub's documented endpoints, bodies and errors, so hookgate's
GitHub provider (and end-to-end tests of core's OAuth and reconcile loop)
can run without a network::

    from hookgate_github.fake import FakeGitHub

    github = FakeGitHub(page_size=2)
    github.add_repo("octo-org/webapp")                   # the user is an admin
    github.add_repo("octo-org/docs", admin=False)        # 403 on its hooks
    github.add_org("octo-org")                           # the user is an owner
    token = github.issue_token()
    async with github.client(token) as client:           # httpx over ASGITransport
        ...                                              # call hooks with client

    monkeypatch.setattr(os, "environ", {**os.environ, **github.settings_env()})

Knobs: ``rate_limit(kind=..., status=..., wait=...)``, ``fail_next(502)``,
``delete_hook_behind_back(id)``, ``edit_hook_behind_back(id, events=[...])``,
``revoke(token)``, ``deny_authorization``. Records: ``requests`` (headers
without Authorization), ``deliveries`` (the ping each new hook gets, signed
with its secret; ``await github.send(delivery, client)`` delivers one).
"""

from __future__ import annotations

from hookgate_github.fake.model import Delivery, FakeHook, FakeOrg, FakeRepo, Recorded
from hookgate_github.fake.routes import SUPPORTED_VERSIONS
from hookgate_github.fake.server import DEFAULT_SCOPES, FakeGitHub

__all__ = [
    "DEFAULT_SCOPES",
    "SUPPORTED_VERSIONS",
    "Delivery",
    "FakeGitHub",
    "FakeHook",
    "FakeOrg",
    "FakeRepo",
    "Recorded",
]
