"""The values that cross the provider contract.

Every hook in :mod:`hookgate.hookspecs` receives and returns these types. They
are frozen dataclasses (cheap to build on the ingest path) or pydantic models
(where a provider author benefits from validation). All are re-exported from
:mod:`hookgate`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar, overload, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hookgate.payloads import parse_payload

__all__ = [
    "Delivery",
    "DeliveryResult",
    "EventIdentity",
    "EventNotice",
    "EventSchema",
    "FilterGenerationRequest",
    "FilterGenerator",
    "Headers",
    "OAuthAccount",
    "OAuthClientSpec",
    "OAuthToken",
    "Principal",
    "ProviderInfo",
    "RemoteHook",
    "RunSink",
    "SourceContext",
    "Target",
    "Verification",
    "WebhookRequest",
]


_T = TypeVar("_T")


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only HTTP headers (HTTP header names are case-insensitive)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items = {k.lower(): v for k, v in (items or {}).items()}

    @classmethod
    def from_asgi(cls, raw: Iterable[tuple[bytes, bytes]]) -> Headers:
        """Headers of an ASGI scope (latin-1 bytes pairs); the last of repeated names wins."""
        headers = cls.__new__(cls)
        headers._items = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}
        return headers

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()]

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str | _T, /) -> str | _T: ...

    def get(self, key: str, default: object = None, /) -> object:
        # One dict lookup, not Mapping's __getitem__ and KeyError: ingest asks several times.
        return self._items.get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({sorted(self._items)!r})"


# -- identity -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    """Who a provider is. Returned by ``provider_info()``.

    ``config_model`` validates the provider-specific settings of a source (for
    example a custom source's signature header); ``None`` means the provider
    takes none.
    """

    name: str
    title: str
    description: str = ""
    needs_oauth: bool = False
    config_model: type[BaseModel] | None = None
    docs_url: str | None = None
    #: Headers kept with each stored event (lower case). The body is always kept.
    kept_headers: tuple[str, ...] = ()
    #: The provider's installation settings (an OAuth app's credentials, a server address),
    #: read by core with :func:`hookgate.config.provider_settings` once per process and
    #: handed to the ingest hooks that ask for an ``installation`` argument: the way a
    #: provider reaches them on the ingest path without reading files on every request.
    installation_model: type[BaseModel] | None = None
    #: What an admin gives when creating an OAuth connection, for providers whose
    #: endpoints depend on it (an account's own host, a region): the model validates it
    #: (refusing anything that could point elsewhere) and core hands the validated dict
    #: to ``oauth_client`` and ``oauth_account`` as ``connection``.
    connection_model: type[BaseModel] | None = None


# -- sources and requests -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What a provider may know about one webhook source.

    ``secrets`` holds the signing secrets that verify right now: the current one
    first, then any previous one still inside its rotation grace period.
    ``config`` is the source's provider settings, already validated by the
    provider's ``config_model``.
    """

    id: str
    provider: str
    name: str
    url: str
    secrets: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[str, ...] = ()
    workspace_id: str = ""
    #: The OAuth connection that registers this source's webhooks; ``None`` for a source
    #: whose sender an admin configured by hand (manual mode). Senders may authenticate
    #: the two kinds differently.
    connection_id: str | None = None


#: Marks a request whose body was not parsed yet (``None`` is a valid JSON document).
_UNPARSED: Any = object()


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One inbound delivery as received: raw body bytes, never re-serialised."""

    method: str
    path: str
    headers: Headers
    body: bytes
    received_at: datetime
    content_type: str = "application/json"
    _parsed: Any = field(default=_UNPARSED, init=False, repr=False, compare=False)

    def json(self) -> Any:
        """The body's JSON document, parsed once per delivery however many hooks ask.

        A form-encoded body (``application/x-www-form-urlencoded``) yields its
        ``payload`` field, as some senders post it. Strict RFC 8259 JSON
        nested at most :data:`hookgate.payloads.MAX_DEPTH` deep; anything else
        raises :class:`ValueError` saying what is wrong (the failure is not cached).
        """
        if self._parsed is _UNPARSED:
            # The one strict, bounded parser (hookgate.payloads): hooks, ingest, dispatch
            # and the event view agree on what is valid JSON.
            object.__setattr__(self, "_parsed", parse_payload(self.body, self.content_type))
        return self._parsed


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of a signature check.

    ``reason`` says what was wrong (``"missing header X-Signature"``,
    ``"signature mismatch"``, ``"timestamp outside tolerance"``); it is sent
    back to the sender in a response header, so it must never contain a secret
    or the expected signature.
    """

    valid: bool
    reason: str = ""
    #: True when the source accepts unsigned deliveries on purpose (URL secret only).
    unsigned: bool = False

    @classmethod
    def ok(cls) -> Verification:
        return cls(valid=True)

    @classmethod
    def fail(cls, reason: str) -> Verification:
        return cls(valid=False, reason=reason)


@dataclass(frozen=True, slots=True)
class EventIdentity:
    """What a delivery is, as answered by ``identify_event``.

    - ``handshake``: a provider's reachability check (a "ping"). It proves the
      source is reachable, is answered at once with ``handshake_response`` (or
      ``200 {"ok": true}``) and starts no run.
    - ``ignore``: a delivery the provider knows to be noise; stored as
      ``ignored`` with ``ignore_reason`` and never dispatched.
    - ``delivery_id``: the provider's id for this delivery, kept across its
      redeliveries so they deduplicate. ``None`` lets core fall back to a hash.
    - ``metadata``: small extra facts worth keeping with the event (e.g. the
      remote hook id).
    """

    event_type: str
    delivery_id: str | None = None
    handshake: bool = False
    handshake_response: Mapping[str, Any] | None = None
    ignore: bool = False
    ignore_reason: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)


class EventSchema(BaseModel):
    """The JSON Schema, description and a sample payload of one event type."""

    model_config = ConfigDict(frozen=True)

    event_type: str
    description: str
    json_schema: dict[str, Any] = Field(alias="schema")
    sample: dict[str, Any]
    #: Extra schemas that ``json_schema`` refers to by ``$id`` (``$ref`` targets).
    resources: dict[str, dict[str, Any]] = Field(default_factory=dict)


# -- OAuth and registration ---------------------------------------------------


class OAuthClientSpec(BaseModel):
    """How to run a provider's OAuth 2 authorization-code flow."""

    model_config = ConfigDict(frozen=True)

    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    #: Extra query parameters on the authorization URL (e.g. ``audience``).
    extra_authorize_params: dict[str, str] = Field(default_factory=dict)
    pkce: bool = True
    #: Token endpoint client authentication, as authlib names it.
    token_endpoint_auth_method: str = "client_secret_post"  # noqa: S105 - a method name
    scope_separator: str = " "


class OAuthToken(BaseModel):
    """A token set as stored (encrypted) for a connection."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - a token type name
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scope: str = ""


class Target(BaseModel):
    """Something a source can register a webhook on: a repository, a site, an account."""

    model_config = ConfigDict(frozen=True, extra="allow")

    type: str
    name: str


class OAuthAccount(BaseModel):
    """What an OAuth grant reached: the account and the targets it can register on."""

    account_id: str
    name: str
    targets: list[Target] = Field(default_factory=list)
    #: What an admin must know before registering on this account, in plain words
    #: (shown with the account: a delivery condition, a limit).
    notes: list[str] = Field(default_factory=list)


class RemoteHook(BaseModel):
    """A webhook as it exists on the provider's side."""

    remote_id: str
    target: Target
    url: str
    events: tuple[str, ...] = ()
    active: bool = True
    expires_at: datetime | None = None
    #: Ways the provider found this hook to differ from what the source wants beyond URL,
    #: events and ``active`` (a changed filter, an expiry already past): core treats them
    #: as drift and calls ``update_webhook``.
    drift: tuple[str, ...] = ()
    #: The signing secret the provider issued for this hook, for providers that generate
    #: it themselves (it cannot be set, only read back): core stores it encrypted as the
    #: source's current secret. ``None`` when the hook signs with ``source.secrets[0]``.
    issued_secret: SecretStr | None = Field(default=None, exclude=True, repr=False)


# -- cross-cutting ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    """One run handed to a sink: the (event, trigger) match to bring to an agent."""

    run_id: str
    attempt: int
    trigger_id: str
    agent_id: str
    source_id: str
    workspace_id: str
    event_id: str
    event_type: str
    payload: Any | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What a sink reports back; ``conversation_id`` is stored on the run."""

    conversation_id: str | None = None
    detail: str = ""


@runtime_checkable
class RunSink(Protocol):
    """How runs reach agents. Raise any exception to have the delivery retried."""

    name: str

    def deliver(self, delivery: Delivery) -> Awaitable[DeliveryResult]: ...


@dataclass(frozen=True, slots=True)
class EventNotice:
    """A step in an event's life, for observers (metrics, audit, tracing)."""

    kind: Literal["received", "stored", "rejected", "duplicate", "dispatched", "run"]
    source_id: str
    event_id: str | None = None
    event_type: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling the admin API."""

    workspace_id: str
    user_id: str
    role: Literal["admin", "member"]


@dataclass(frozen=True, slots=True)
class FilterGenerationRequest:
    """Everything a filter generator needs: facts, not guesses."""

    description: str
    provider: str
    event_type: str | None
    json_schema: Mapping[str, Any] | None
    sample: Mapping[str, Any] | None
    grammar: str
    previous_error: str | None = None


@runtime_checkable
class FilterGenerator(Protocol):
    """A backend that turns a description into a filter expression (text)."""

    name: str

    def generate(self, request: FilterGenerationRequest) -> Awaitable[str]: ...
