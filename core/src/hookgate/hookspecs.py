"""The provider contract: every hook hookgate calls, and nothing else.

Plugins implement hooks with :data:`hookgate.hookimpl`::

    from hookgate import hookimpl, ProviderInfo

    @hookimpl
    def provider_info() -> ProviderInfo:
        return ProviderInfo(name="acme", title="Acme")

An implementation may accept fewer arguments than the spec lists (pluggy's
opt-in arguments), so adding an argument to a hook never breaks a plugin.

Two kinds of hooks:

- **per-provider** hooks (listed in :data:`PER_PROVIDER_HOOKS`) are called only
  on the plugin of the source's provider, through
  :class:`hookgate.plugins.ProviderHooks`. A provider implements them for its
  own sources and never sees another provider's.
- **cross-cutting** hooks go to every plugin: run sinks, event observers,
  admin-API authentication, the filter generator.

Hooks whose spec returns ``Awaitable[...]`` may be written ``async def`` (or
return a plain value); core awaits the result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from hookgate.config import Settings
    from hookgate.types import (
        EventIdentity,
        EventNotice,
        EventSchema,
        FilterGenerator,
        Headers,
        OAuthAccount,
        OAuthClientSpec,
        OAuthToken,
        Principal,
        ProviderInfo,
        RemoteHook,
        RunSink,
        SourceContext,
        Target,
        Verification,
        WebhookRequest,
    )

PROJECT = "hookgate"
ENTRY_POINT_GROUP = "hookgate.providers"
#: Entry points of plugins that offer only cross-cutting hooks (a sink, an
#: authenticator, a filter generator, an observer): no provider, no sources.
PLUGIN_ENTRY_POINT_GROUP = "hookgate.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)

# =============================================================================
# Identity (per provider)
# =============================================================================


@hookspec(firstresult=True)
def provider_info() -> ProviderInfo:  # type: ignore[empty-body]
    """Say who the provider is.

    Called once when the plugin is loaded. Must return a
    :class:`~hookgate.ProviderInfo` whose ``name`` equals the entry-point name.
    Raising, or returning anything else, marks the provider broken (shown by
    ``hookgate providers``) without affecting other providers.
    """


@hookspec(firstresult=True)
def event_schemas() -> Sequence[EventSchema]:  # type: ignore[empty-body]
    """List the event types the provider knows, each with a JSON Schema, a
    description and a sample payload.

    Called once at load time and cached. Schemas validate stored payloads
    (per the source's ``schema_policy``), type-check filters, feed filter
    generation and document the provider. Each sample must validate against
    its own schema (the test kit checks this). Return an empty list when
    event types are defined per source (the custom provider).
    """


# =============================================================================
# Ingest (per provider, called inside the HTTP request: keep them fast and
# free of network calls)
#
# Each of the three may also take ``installation``: the provider's installation
# settings (an instance of ``ProviderInfo.installation_model``, read once per
# process by core), for keys that belong to the installation rather than to one
# source, such as an OAuth app's client secret signing every delivery. ``None``
# when the provider declares no installation model.
# =============================================================================


@hookspec(firstresult=True)
def verify_signature(  # type: ignore[empty-body]
    source: SourceContext, request: WebhookRequest, installation: BaseModel | None
) -> Verification:
    """Check that a delivery was signed by the sender holding the source's secret.

    Called for every delivery after the URL secret matched. ``request.body``
    is the raw bytes as received; sign and compare over exactly those bytes,
    in constant time (:func:`hmac.compare_digest`), trying each of
    ``source.secrets`` (rotation keeps the previous secret valid for a grace
    period). Reject stale timestamps where the scheme carries one.

    Return :meth:`Verification.ok` or :meth:`Verification.fail` with a reason
    that says what was wrong without revealing any secret. An exception is
    treated as a failed check (401) and logged as a provider bug.
    """


@hookspec(firstresult=True)
def identify_event(  # type: ignore[empty-body]
    source: SourceContext, request: WebhookRequest, installation: BaseModel | None
) -> EventIdentity:
    """Name a verified delivery: event type, delivery id, handshake or noise.

    Called after :func:`verify_signature` succeeded, before the event is
    stored. Read headers first; parse the body only if the provider puts the
    type there. Return an :class:`~hookgate.EventIdentity`. Raise
    :class:`ValueError` when the delivery cannot be identified: it is stored as
    ``malformed`` and answered 400 with the message.
    """


@hookspec(firstresult=True)
def sign_payload(  # type: ignore[empty-body]
    source: SourceContext, body: bytes, timestamp: datetime, installation: BaseModel | None
) -> Mapping[str, str]:
    """Return the headers a sender would add to deliver ``body`` for ``source``.

    The inverse of :func:`verify_signature`, signed with ``source.secrets[0]``
    (or the installation's key, for sources whose sender signs with one).
    Used by ``hookgate sources sign`` (curl testing, docs) and by the test kit,
    which checks that what a provider signs, it verifies, and that a tampered
    body does not.
    """


@hookspec(firstresult=True)
def new_secret(source: SourceContext) -> str | None:
    """Generate a signing secret in the form this source's senders expect.

    Called when a source is created without a secret and when its secret is
    rotated; ``source.secrets`` is empty then. Return at least 256 bits of
    randomness (e.g. ``whsec_<base64>`` for Standard Webhooks senders), or
    ``None`` to let hookgate generate a URL-safe random string.
    """


@hookspec(firstresult=True)
def signing_key(source: SourceContext, secret: str) -> bytes | None:
    """The key material ``secret`` gives this source's signatures.

    Called when a secret is given at creation and when one is generated (at
    creation and rotation), before it is stored. Return the HMAC key bytes the
    secret stands for under the source's settings (e.g. the decoded base64 of
    a Standard Webhooks ``whsec_...`` secret), or ``None`` when the key is the
    secret's UTF-8 bytes. Raise :class:`ValueError` saying what is wrong (never
    quoting the secret) when the source cannot sign with it. Core refuses a
    secret whose key material is shorter than 128 bits.
    """


@hookspec(firstresult=True)
def setup_instructions(source: SourceContext) -> str | None:
    """Tell an admin how to configure the sender by hand (no OAuth).

    Called when a source is created in manual mode and by ``hookgate sources
    show``. Return plain text with the exact settings to paste into the
    provider's webhook page: ``source.url``, the content type,
    ``source.secrets[0]`` and the events to pick. ``None`` when the provider
    has nothing to add to the URL and secret.
    """


# =============================================================================
# OAuth setup (per provider; only for providers with ``needs_oauth``)
# =============================================================================


@hookspec(firstresult=True)
def oauth_client(connection: Mapping[str, Any]) -> OAuthClientSpec | None:
    """Describe the provider's OAuth 2 authorization-code flow.

    Called when an admin starts a connection, at the callback and on every
    token refresh. Return endpoints, scopes, extra authorization parameters
    (e.g. ``audience``) and whether PKCE is supported; core runs the flow with
    authlib and stores the token set encrypted. Return ``None`` when the
    provider needs no OAuth.

    ``connection`` (opt-in) holds the parameters the admin gave when creating
    the connection, validated by ``ProviderInfo.connection_model`` (``{}``
    without one): build endpoints that live on the customer's own host from
    it. Raise :class:`ValueError` when they cannot make a safe endpoint.
    """


@hookspec(firstresult=True)
def oauth_account(  # type: ignore[empty-body]
    token: OAuthToken, client: httpx.AsyncClient, connection: Mapping[str, Any]
) -> Awaitable[OAuthAccount]:
    """Say which account a fresh grant reached, and what it can register on.

    Called after the token exchange with an ``httpx.AsyncClient`` that already
    sends the access token. Return the account id and name and the targets
    (repositories, sites, accounts) a source may register webhooks on; put on
    each target what the registration hooks need to reach it (its API base),
    since they get the target, not the connection. ``connection`` (opt-in) is
    as for :func:`oauth_client`. Raise :class:`hookgate.ProviderAPIError` with
    a readable message on failure.
    """


# =============================================================================
# Webhook registration (per provider; core runs the reconcile loop)
# =============================================================================


@hookspec(firstresult=True)
def list_webhooks(  # type: ignore[empty-body]
    source: SourceContext, target: Target, client: httpx.AsyncClient
) -> Awaitable[Sequence[RemoteHook]]:
    """List the webhooks that exist on ``target`` right now.

    Core compares them with the source's desired state: a hook whose ``url``
    is the source URL is adopted instead of duplicated; a missing one is
    created; a drifted one (events, inactive) is updated.
    """


@hookspec(firstresult=True)
def create_webhook(  # type: ignore[empty-body]
    source: SourceContext, target: Target, client: httpx.AsyncClient
) -> Awaitable[RemoteHook]:
    """Create the remote webhook for ``source`` on ``target``.

    Use ``source.url``, ``source.secrets[0]`` and ``source.events``. A provider
    that issues the signing secret itself (it cannot be set) reads it back and
    returns it as ``RemoteHook.issued_secret``: core stores it encrypted as the
    source's secret (so do ``list_webhooks`` for the hook it adopts and
    :func:`rotate_webhook_secret`). Raise
    :class:`hookgate.ProviderAPIError` with the provider's reason translated
    for an admin (missing scope, no admin rights on the target, limit
    reached); core then removes what it created so far and keeps nothing.
    """


@hookspec(firstresult=True)
def update_webhook(  # type: ignore[empty-body]
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> Awaitable[RemoteHook]:
    """Bring an existing remote hook back to the desired URL, secret and events."""


@hookspec(firstresult=True)
def delete_webhook(  # type: ignore[empty-body]
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> Awaitable[None]:
    """Remove a remote hook. A hook that is already gone is not an error."""


@hookspec(firstresult=True)
def rotate_webhook_secret(  # type: ignore[empty-body]
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> Awaitable[RemoteHook]:
    """Have the provider issue a new signing secret for ``hook``; return it read back.

    For providers that issue secrets themselves (``RemoteHook.issued_secret``).
    Called when an admin rotates the source's secret, instead of generating one:
    core stores the returned secret as current and keeps the previous one
    verifying for the grace period, since deliveries in flight still carry it.
    """


@hookspec(firstresult=True)
def refresh_webhook(  # type: ignore[empty-body]
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> Awaitable[RemoteHook]:
    """Extend a remote hook that expires (``RemoteHook.expires_at`` is set).

    Called by the scheduled reconcile before expiry. Providers whose hooks do
    not expire need not implement it.
    """


# =============================================================================
# Cross-cutting hooks (called on every plugin)
# =============================================================================


@hookspec
def run_sinks(settings: Settings) -> Sequence[RunSink]:  # type: ignore[empty-body]
    """Offer ways for runs to reach agents.

    Called once at start-up on every plugin, with the installation's
    settings (a sink may read its own ``HOOKGATE_*`` values from them).
    Each :class:`~hookgate.RunSink` has a unique ``name``; ``HOOKGATE_SINK``
    picks the one used (built in: ``log`` and ``http``). ``deliver`` raising
    any exception makes the run be retried with backoff, then dead-lettered.
    """


@hookspec
def event_notice(notice: EventNotice) -> None:
    """Observe an event's life: received, stored, rejected, duplicate, dispatched, run.

    Called on every plugin, synchronously, on the ingest and dispatch paths:
    return quickly and never raise (an exception is logged and swallowed).
    """


@hookspec(firstresult=True)
def authenticate(headers: Headers, method: str, path: str) -> Principal | None:
    """Identify the caller of the admin API.

    Called for every ``/api/v1`` request before hookgate's own API-key check.
    Return a :class:`~hookgate.Principal` to accept the caller, ``None`` to
    let the next plugin (finally the built-in API keys) decide. Raise
    :class:`hookgate.AuthenticationError` to refuse outright (401).
    """


@hookspec(firstresult=True)
def filter_generator(settings: Settings) -> FilterGenerator | None:
    """Offer a backend that writes filters from natural-language descriptions.

    Called with the installation's settings each time a filter is generated.

    First non-``None`` result wins. Core validates whatever it generates
    against the event schema before anyone can save it.
    """


#: Hooks called on one provider's plugin only, for that provider's sources.
PER_PROVIDER_HOOKS: frozenset[str] = frozenset(
    {
        "provider_info",
        "event_schemas",
        "verify_signature",
        "identify_event",
        "sign_payload",
        "new_secret",
        "signing_key",
        "setup_instructions",
        "oauth_client",
        "oauth_account",
        "list_webhooks",
        "create_webhook",
        "update_webhook",
        "delete_webhook",
        "refresh_webhook",
        "rotate_webhook_secret",
    }
)

#: What every provider must implement.
REQUIRED_HOOKS: frozenset[str] = frozenset(
    {"provider_info", "event_schemas", "verify_signature", "identify_event", "sign_payload"}
)

#: What a provider that declares ``needs_oauth`` must implement on top.
REQUIRED_OAUTH_HOOKS: frozenset[str] = frozenset(
    {
        "oauth_client",
        "oauth_account",
        "list_webhooks",
        "create_webhook",
        "update_webhook",
        "delete_webhook",
    }
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "PER_PROVIDER_HOOKS",
    "PLUGIN_ENTRY_POINT_GROUP",
    "PROJECT",
    "REQUIRED_HOOKS",
    "REQUIRED_OAUTH_HOOKS",
    "authenticate",
    "create_webhook",
    "delete_webhook",
    "event_notice",
    "event_schemas",
    "filter_generator",
    "identify_event",
    "list_webhooks",
    "new_secret",
    "oauth_account",
    "oauth_client",
    "provider_info",
    "refresh_webhook",
    "rotate_webhook_secret",
    "run_sinks",
    "setup_instructions",
    "sign_payload",
    "signing_key",
    "update_webhook",
    "verify_signature",
]
