"""The OAuth app of each provider, and authlib doing the protocol work.

Client ids and secrets are per provider and read generically, so core names
no provider: ``HOOKGATE_<PROVIDER>_CLIENT_ID`` and
``HOOKGATE_<PROVIDER>_CLIENT_SECRET`` (the provider name upper-cased, ``-``
as ``_``), or ``client_id`` / ``client_secret`` in the config file's
``[<provider>]`` table (``<provider>_client_id`` at the top level works too);
the environment wins (:func:`hookgate.config.provider_settings`, the reader
every provider uses). They are read when used (connecting, refreshing), never
on the ingest path.

authlib builds the authorization URL (with the PKCE S256 challenge), runs
the code exchange and the refresh grant, and turns an ``error`` answer into
an exception, also when it comes with HTTP 200 as some providers send it.
Only this module imports authlib.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.integrations.base_client import OAuthError  # type: ignore[import-untyped]
from pydantic import BaseModel, SecretStr

with warnings.catch_warnings():
    # authlib 1.9 prefers the ``httpx2`` fork and warns when it runs on httpx; hookgate and
    # provider hooks use httpx (the client's transport is ours), so httpx it is.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
        AsyncOAuth2Client,
    )

from hookgate.config import Settings, env_prefix, provider_settings
from hookgate.errors import ProviderAPIError
from hookgate.oauth.errors import AuthorizationFailed, NeedsReauth, OAuthNotConfigured
from hookgate.types import OAuthClientSpec, OAuthToken

#: Token-endpoint errors that mean the grant itself is gone (RFC 6749 §5.2).
GRANT_GONE = frozenset({"invalid_grant", "unauthorized_client"})


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str

    def __repr__(self) -> str:  # never print the secret
        return f"ClientCredentials(client_id={self.client_id!r})"


class OAuthApp(BaseModel):
    """The two installation settings core reads for every OAuth provider."""

    client_id: str = ""
    client_secret: SecretStr | None = None


def client_credentials(provider: str) -> ClientCredentials:
    """The provider's OAuth app, from the environment or the config file."""
    prefix = env_prefix(provider)
    app = provider_settings(provider, OAuthApp)
    client_id = app.client_id
    secret = app.client_secret.get_secret_value() if app.client_secret else ""
    if not client_id or not secret:
        raise OAuthNotConfigured(
            f"no OAuth app is configured for {provider}: set {prefix}CLIENT_ID and "
            f"{prefix}CLIENT_SECRET (from the OAuth app you registered on {provider}, with "
            f"callback URL {{HOOKGATE_PUBLIC_URL}}/oauth/{provider}/callback) and restart hookgate"
        )
    return ClientCredentials(str(client_id), str(secret))


def redirect_uri(settings: Settings, provider: str) -> str:
    """Where the provider sends the browser back: ``{public URL}/oauth/{provider}/callback``."""
    public = settings.public_url.rstrip("/")
    if not public.startswith(("http://", "https://")):
        raise OAuthNotConfigured(
            "HOOKGATE_PUBLIC_URL must be hookgate's public address (https://hookgate.example.com)"
            f": the provider redirects the browser to it, at /oauth/{provider}/callback"
        )
    return f"{public}/oauth/{provider}/callback"


def start_url(settings: Settings, provider: str, state: str) -> str:
    """The URL an admin opens to authorize: it binds the browser, then goes to the provider."""
    base = redirect_uri(settings, provider).removesuffix("/callback")
    return f"{base}/start?{urlencode({'state': state})}"


class OAuthProtocol:
    """authlib's client for one provider's OAuth app; use as an async context manager."""

    def __init__(
        self,
        spec: OAuthClientSpec,
        credentials: ClientCredentials,
        *,
        redirect_to: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.spec = spec
        options: dict[str, Any] = {"timeout": timeout}
        if transport is not None:
            options["transport"] = transport
        self._client = AsyncOAuth2Client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            token_endpoint_auth_method=spec.token_endpoint_auth_method,
            scope=spec.scope_separator.join(spec.scopes) or None,
            redirect_uri=redirect_to,
            code_challenge_method="S256" if spec.pkce else None,
            **options,
        )

    async def __aenter__(self) -> OAuthProtocol:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def authorization_url(self, state: str, code_verifier: str | None) -> str:
        url, _ = self._client.create_authorization_url(
            self.spec.authorize_url,
            state=state,
            code_verifier=code_verifier,
            **self.spec.extra_authorize_params,
        )
        return str(url)

    async def exchange(self, code: str, code_verifier: str | None) -> OAuthToken:
        """The token set for an authorization code (PKCE: with the verifier)."""
        extra = {"code_verifier": code_verifier} if code_verifier else {}
        try:
            raw = await self._client.fetch_token(
                self.spec.token_url, grant_type="authorization_code", code=code, **extra
            )
        except OAuthError as exc:
            raise AuthorizationFailed(
                f"the provider refused the authorization code ({_describe(exc)}): "
                "start the connection again",
                status=400,
            ) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise _unavailable("exchange the authorization code", exc) from None
        return to_token(raw)

    async def refresh(self, current: OAuthToken) -> OAuthToken:
        """A new token set; a provider that does not rotate refresh tokens keeps the old one."""
        if not current.refresh_token:
            raise NeedsReauth("the access token expired and the provider gave no refresh token")
        try:
            raw = await self._client.refresh_token(
                self.spec.token_url, refresh_token=current.refresh_token
            )
        except OAuthError as exc:
            if exc.error in GRANT_GONE:
                raise NeedsReauth(f"the provider refused to refresh ({_describe(exc)})") from None
            raise ProviderAPIError(f"token refresh failed ({_describe(exc)})", status=400) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise _unavailable("refresh the access token", exc) from None
        token = to_token(raw)
        if token.refresh_token is None:
            token = token.model_copy(update={"refresh_token": current.refresh_token})
        return token


def _describe(exc: Any) -> str:
    description = getattr(exc, "description", None)
    return f"{exc.error}: {description}" if description else str(exc.error)


def _unavailable(doing: str, exc: Exception) -> ProviderAPIError:
    status = exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else None
    what = f"HTTP {status}" if status else type(exc).__name__
    return ProviderAPIError(
        f"the provider's token endpoint failed ({what}) while trying to {doing}; try again",
        status=status,
        retryable=True,
    )


def to_token(raw: Any) -> OAuthToken:
    """authlib's token dict as stored; ``expires_at`` from ``expires_at`` or ``expires_in``."""
    expires_at = None
    if raw.get("expires_at"):
        expires_at = datetime.fromtimestamp(int(raw["expires_at"]), UTC)
    scope = raw.get("scope") or ""
    return OAuthToken(
        access_token=str(raw["access_token"]),
        token_type=str(raw.get("token_type") or "bearer"),
        refresh_token=raw.get("refresh_token") or None,
        expires_at=expires_at,
        scope=" ".join(scope) if isinstance(scope, list) else str(scope),
    )


def new_code_verifier() -> str:
    """A PKCE code verifier: 48 characters of the unreserved set (RFC 7636 §4.1)."""
    return str(generate_token(48))


__all__ = [
    "ClientCredentials",
    "OAuthProtocol",
    "client_credentials",
    "env_prefix",
    "new_code_verifier",
    "redirect_uri",
    "to_token",
]
