"""hookgate: turn webhooks from any platform into agent runs.

The public Python API. Provider authors need :data:`hookimpl` and the types
below; embedding services need :class:`Runtime` and :func:`create_app`.
"""

from __future__ import annotations

from importlib import metadata

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

try:
    __version__ = metadata.version("hookgate-core")
except metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

from hookgate.app import create_app
from hookgate.runtime import Runtime

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
    "SourceContext",
    "Target",
    "UnknownProviderError",
    "Verification",
    "WebhookRequest",
    "__version__",
    "create_app",
    "hookimpl",
]
