"""hookgate: turn webhooks from any platform into agent runs.

The public Python API. Provider authors need :data:`hookimpl` and the types
below; embedding services need :class:`Runtime`, :class:`Settings`,
:func:`create_app` and :func:`lifespan` (or :func:`running`): see docs/embedding.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hookgate.errors import (
    AuthenticationError,
    ConfigurationError,
    HookgateError,
    PluginError,
    ProviderAPIError,
    ProviderContractError,
    UnknownProviderError,
)
from hookgate.markers import hookimpl
from hookgate.types import (
    Delivery,
    DeliveryResult,
    EventIdentity,
    EventNotice,
    EventSchema,
    FilterGenerationRequest,
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
from hookgate.version import __version__

if TYPE_CHECKING:
    from hookgate.app import create_app
    from hookgate.config import Settings
    from hookgate.embedding import lifespan, running
    from hookgate.runtime import Runtime

_LAZY = {
    "create_app": "hookgate.app",
    "Runtime": "hookgate.runtime",
    "Settings": "hookgate.config",
    "lifespan": "hookgate.embedding",
    "running": "hookgate.embedding",
}


def __getattr__(name: str) -> Any:
    # The runtime and the app pull in SQLAlchemy, Starlette and the admin API;
    # providers and CLI commands that need none of it should not pay for it.
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hookgate' has no attribute {name!r}")


__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "Delivery",
    "DeliveryResult",
    "EventIdentity",
    "EventNotice",
    "EventSchema",
    "FilterGenerationRequest",
    "FilterGenerator",
    "Headers",
    "HookgateError",
    "OAuthAccount",
    "OAuthClientSpec",
    "OAuthToken",
    "PluginError",
    "Principal",
    "ProviderAPIError",
    "ProviderContractError",
    "ProviderInfo",
    "RemoteHook",
    "RunSink",
    "Runtime",
    "Settings",
    "SourceContext",
    "Target",
    "UnknownProviderError",
    "Verification",
    "WebhookRequest",
    "__version__",
    "create_app",
    "hookimpl",
    "lifespan",
    "running",
]
