"""The one typed wrapper through which core calls a provider's own hooks.

Per-provider hooks are dispatched straight to the implementation of the
source's provider, captured when the plugin loaded: no other plugin can answer
for a source that is not its own, a lookup costs one dict access on the ingest
path, and a missing hook is known at load time. Each call passes only the
arguments the implementation declares (pluggy's opt-in rule) and checks the
type of what comes back, so a provider bug is reported as a
:class:`~hookgate.ProviderContractError` naming the provider and the hook.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy
from pydantic import BaseModel, ValidationError

from hookgate.config import provider_settings
from hookgate.errors import ProviderContractError
from hookgate.types import (
    EventIdentity,
    EventSchema,
    OAuthAccount,
    OAuthClientSpec,
    OAuthToken,
    ProviderInfo,
    RemoteHook,
    SourceContext,
    Target,
    Verification,
    WebhookRequest,
)

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")


class ProviderHooks:
    """Typed access to one provider's hook implementations."""

    def __init__(self, name: str, impls: Mapping[str, pluggy.HookImpl]) -> None:
        self.name = name
        self._impls = dict(impls)
        self._installation: BaseModel | None = None
        self._installation_loaded = False

    def implements(self, hook: str) -> bool:
        return hook in self._impls

    # -- installation settings ------------------------------------------------------

    def installation(self) -> BaseModel | None:
        """The provider's installation settings (``ProviderInfo.installation_model``).

        Read with :func:`hookgate.config.provider_settings` at the first use and kept
        for the life of this plugin manager, so the ingest path reads no file and no
        environment per request; :meth:`reload_installation` reads them again.
        """
        if not self._installation_loaded:
            model = self.provider_info().installation_model
            self._installation = None if model is None else provider_settings(self.name, model)
            self._installation_loaded = True
        return self._installation

    def use_installation(self, settings: BaseModel | None) -> None:
        """Hand the ingest hooks these installation settings (embedding, tests)."""
        self._installation, self._installation_loaded = settings, True

    def reload_installation(self) -> None:
        """Forget the installation settings read so far; the next use reads them again."""
        self._installation, self._installation_loaded = None, False

    def _ingest(self, hook: str, **kwargs: Any) -> Any:
        """Call an ingest hook, with the installation settings if it asks for them."""
        impl = self._impls.get(hook)
        if impl is not None and "installation" in impl.argnames:
            kwargs["installation"] = self.installation()
        return self._call(hook, kwargs)

    # -- plumbing -------------------------------------------------------------

    def _call(self, hook: str, kwargs: Mapping[str, Any]) -> Any:
        impl = self._impls.get(hook)
        if impl is None:
            raise ProviderContractError(f"provider {self.name!r} does not implement {hook}()")
        function: Callable[..., Any] = impl.function
        return function(*(kwargs[a] for a in impl.argnames))

    def _check(self, hook: str, value: object, expected: type[T]) -> T:
        if not isinstance(value, expected):
            raise ProviderContractError(
                f"provider {self.name!r}: {hook}() returned {type(value).__name__}, "
                f"expected {expected.__name__}"
            )
        return value

    async def _acall(self, hook: str, kwargs: Mapping[str, Any]) -> Any:
        result = self._call(hook, kwargs)
        return await result if inspect.isawaitable(result) else result

    # -- identity -------------------------------------------------------------

    def provider_info(self) -> ProviderInfo:
        return self._check("provider_info", self._call("provider_info", {}), ProviderInfo)

    def event_schemas(self) -> list[EventSchema]:
        value = self._call("event_schemas", {})
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise ProviderContractError(
                f"provider {self.name!r}: event_schemas() must return a list of EventSchema"
            )
        return [self._check("event_schemas", item, EventSchema) for item in value]

    # -- ingest -----------------------------------------------------------------

    def verify_signature(self, source: SourceContext, request: WebhookRequest) -> Verification:
        value = self._ingest("verify_signature", source=source, request=request)
        return self._check("verify_signature", value, Verification)

    def identify_event(self, source: SourceContext, request: WebhookRequest) -> EventIdentity:
        value = self._ingest("identify_event", source=source, request=request)
        return self._check("identify_event", value, EventIdentity)

    def sign_payload(
        self, source: SourceContext, body: bytes, timestamp: datetime
    ) -> dict[str, str]:
        value = self._ingest("sign_payload", source=source, body=body, timestamp=timestamp)
        if not isinstance(value, Mapping):
            raise ProviderContractError(
                f"provider {self.name!r}: sign_payload() returned {type(value).__name__}, "
                "expected a mapping of header names to values"
            )
        return {str(k): str(v) for k, v in value.items()}

    def new_secret(self, source: SourceContext) -> str | None:
        if not self.implements("new_secret"):
            return None
        value = self._call("new_secret", {"source": source})
        return None if value is None else self._check("new_secret", value, str)

    def signing_key(self, source: SourceContext, secret: str) -> bytes:
        """The HMAC key ``secret`` stands for; its UTF-8 bytes unless the provider says."""
        if not self.implements("signing_key"):
            return secret.encode()
        value = self._call("signing_key", {"source": source, "secret": secret})
        return secret.encode() if value is None else self._check("signing_key", value, bytes)

    def setup_instructions(self, source: SourceContext) -> str | None:
        if not self.implements("setup_instructions"):
            return None
        value = self._call("setup_instructions", {"source": source})
        return None if value is None else self._check("setup_instructions", value, str)

    # -- OAuth ------------------------------------------------------------------

    def connection_params(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """``given`` validated by ``ProviderInfo.connection_model``, as stored.

        :raises ValueError: saying what is wrong, when the model refuses them or the
            provider takes none but some were given.
        """
        model = self.provider_info().connection_model
        if model is None:
            if given:
                raise ValueError(f"provider {self.name!r} takes no connection parameters")
            return {}
        try:
            return model.model_validate(dict(given or {})).model_dump(mode="json")
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ValueError(f"invalid connection parameters for {self.name}: {problems}") from None

    def oauth_client(self, connection: Mapping[str, Any] | None = None) -> OAuthClientSpec | None:
        if not self.implements("oauth_client"):
            return None
        value = self._call("oauth_client", {"connection": dict(connection or {})})
        return None if value is None else self._check("oauth_client", value, OAuthClientSpec)

    async def oauth_account(
        self,
        token: OAuthToken,
        client: httpx.AsyncClient,
        connection: Mapping[str, Any] | None = None,
    ) -> OAuthAccount:
        kwargs = {"token": token, "client": client, "connection": dict(connection or {})}
        value = await self._acall("oauth_account", kwargs)
        return self._check("oauth_account", value, OAuthAccount)

    # -- registration -------------------------------------------------------------

    async def list_webhooks(
        self, source: SourceContext, target: Target, client: httpx.AsyncClient
    ) -> list[RemoteHook]:
        kwargs = {"source": source, "target": target, "client": client}
        value = await self._acall("list_webhooks", kwargs)
        return [self._check("list_webhooks", item, RemoteHook) for item in value]

    async def create_webhook(
        self, source: SourceContext, target: Target, client: httpx.AsyncClient
    ) -> RemoteHook:
        kwargs = {"source": source, "target": target, "client": client}
        return self._check(
            "create_webhook", await self._acall("create_webhook", kwargs), RemoteHook
        )

    async def update_webhook(
        self, source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
    ) -> RemoteHook:
        kwargs = {"source": source, "hook": hook, "client": client}
        return self._check(
            "update_webhook", await self._acall("update_webhook", kwargs), RemoteHook
        )

    async def rotate_webhook_secret(
        self, source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
    ) -> RemoteHook:
        kwargs = {"source": source, "hook": hook, "client": client}
        value = await self._acall("rotate_webhook_secret", kwargs)
        hook = self._check("rotate_webhook_secret", value, RemoteHook)
        if hook.issued_secret is None:
            raise ProviderContractError(
                f"provider {self.name!r}: rotate_webhook_secret() returned no issued_secret"
            )
        return hook

    async def delete_webhook(
        self, source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
    ) -> None:
        await self._acall("delete_webhook", {"source": source, "hook": hook, "client": client})

    async def refresh_webhook(
        self, source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
    ) -> RemoteHook:
        kwargs = {"source": source, "hook": hook, "client": client}
        value = await self._acall("refresh_webhook", kwargs)
        return self._check("refresh_webhook", value, RemoteHook)
