"""What the fake GitHub remembers: accounts, repositories, hooks, OAuth grants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TargetType = Literal["repository", "organization"]

#: What GitHub's scopes let a token do on the endpoints the fake serves.
REPO_HOOK_READ = ("admin:repo_hook", "read:repo_hook", "repo", "write:repo_hook")
REPO_HOOK_WRITE = ("admin:repo_hook", "repo", "write:repo_hook")
REPO_HOOK_DELETE = ("admin:repo_hook",)
ORG_HOOK = ("admin:org_hook",)
READ_ORG = ("admin:org", "read:org", "user", "write:org")


@dataclass
class FakeRepo:
    """A repository and what the signed-in user may do with it."""

    full_name: str
    id: int
    private: bool = False
    #: The user has admin rights (may manage hooks).
    admin: bool = True
    #: False: the user cannot see it at all, so GitHub answers 404.
    visible: bool = True

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]


@dataclass
class FakeOrg:
    """An organization the signed-in user belongs to."""

    login: str
    id: int
    #: "admin" is an owner (may manage organization hooks), "member" is not.
    role: Literal["admin", "member"] = "admin"
    #: OAuth app access restrictions on: app tokens get 403 until an owner approves the app.
    restricts_oauth_apps: bool = False


@dataclass
class FakeHook:
    """A repository or organization webhook."""

    id: int
    target_type: TargetType
    target: str
    config: dict[str, str]
    events: list[str]
    active: bool = True
    #: The OAuth app (client id) whose token created it; None when made by hand.
    created_by_app: str | None = None
    created_at: str = "2024-05-21T12:00:00Z"
    updated_at: str = "2024-05-21T12:00:00Z"

    @property
    def url(self) -> str:
        return self.config.get("url", "")

    @property
    def secret(self) -> str | None:
        return self.config.get("secret")


@dataclass
class FakeToken:
    value: str
    scopes: tuple[str, ...]
    #: The OAuth app that obtained it; None for a personal access token.
    client_id: str | None = None
    revoked: bool = False


@dataclass
class PendingCode:
    """An authorization code waiting to be exchanged (single use)."""

    code: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str | None
    expires_at: float
    used: bool = False


@dataclass
class Injected:
    """A failure answered to the next ``times`` API requests instead of the real answer."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass(frozen=True)
class Recorded:
    """One request the fake received (the Authorization header is left out)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery GitHub would send (the fake records pings of new hooks)."""

    url: str
    headers: dict[str, str]
    body: bytes


__all__ = [
    "ORG_HOOK",
    "READ_ORG",
    "REPO_HOOK_DELETE",
    "REPO_HOOK_READ",
    "REPO_HOOK_WRITE",
    "Delivery",
    "FakeHook",
    "FakeOrg",
    "FakeRepo",
    "FakeToken",
    "Injected",
    "PendingCode",
    "Recorded",
    "TargetType",
]
