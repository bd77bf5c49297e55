"""What can go wrong while connecting a provider or using a connection.

Every message says what is wrong and what to do; none holds a token, a code
or a client secret.
"""

from __future__ import annotations

from hookgate.errors import ConfigurationError, HookgateError, ProviderAPIError


class OAuthNotConfigured(ConfigurationError):
    """The provider's OAuth app (client id and secret) or the public URL is not configured."""


class StateError(HookgateError):
    """An authorization ``state`` that cannot be accepted: tampered, replayed, expired or unknown.

    ``reason`` is a short machine-readable word (``invalid``, ``used``,
    ``expired``, ``mismatch``) for answers and tests.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class AuthorizationFailed(ProviderAPIError):
    """The provider refused the grant: the user denied it, or the code exchange failed."""


class NeedsReauth(ProviderAPIError):
    """The grant is revoked or expired: an admin has to authorize the connection again."""

    def __init__(self, message: str, connection_id: str | None = None) -> None:
        if connection_id and "reauthorize" not in message:
            message = (
                f"{message}: authorize connection {connection_id} again "
                f"(hookgate connections reauthorize {connection_id})"
            )
        super().__init__(message, status=401)
        self.connection_id = connection_id


__all__ = ["AuthorizationFailed", "NeedsReauth", "OAuthNotConfigured", "StateError"]
