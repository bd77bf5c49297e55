"""hookgate's exception tree.

::

    HookgateError
    ├── ConfigurationError        settings are missing or inconsistent
    ├── PluginError
    │   ├── UnknownProviderError  no installed, enabled provider by that name
    │   └── ProviderContractError a provider broke the hook contract
    ├── ProviderAPIError          a provider's remote API failed (registration, OAuth)
    └── AuthenticationError       an admin-API caller is refused

Messages say what is wrong and how to fix it; none ever contains a secret.
"""

from __future__ import annotations


class HookgateError(Exception):
    """Base class of every error hookgate raises on purpose."""


class ConfigurationError(HookgateError):
    """A setting is missing or invalid; the message names the variable."""


class PluginError(HookgateError):
    """Something is wrong with a plugin."""


class UnknownProviderError(PluginError, LookupError):
    """No installed and enabled provider has this name."""

    def __init__(self, name: str, available: list[str]) -> None:
        self.name = name
        self.available = available
        listed = ", ".join(available) or "none"
        super().__init__(
            f"unknown provider {name!r}: enabled providers are {listed}. "
            "Install the provider package, or add it to HOOKGATE_PROVIDERS."
        )


class ProviderContractError(PluginError):
    """A provider's hook returned the wrong type, raised, or is missing."""


class ProviderAPIError(HookgateError):
    """A provider's remote API refused or failed; ``message`` is meant for an admin.

    :param status: the HTTP status the API answered, ``None`` when it did not answer.
    :param retryable: the same call may succeed later (5xx, rate limits, timeouts).
    :param retry_after: seconds the API asked to wait before trying again (a
        ``Retry-After`` header, a rate-limit reset); core's reconcile waits
        that long and retries when it is short enough. Setting it implies
        ``retryable``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ):
        self.status = status
        self.retryable = retryable or retry_after is not None
        self.retry_after = retry_after
        super().__init__(message)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self)!r}, status={self.status!r}, "
            f"retryable={self.retryable!r}, retry_after={self.retry_after!r})"
        )


class AuthenticationError(HookgateError):
    """The admin-API caller could not be identified or is refused."""


__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "HookgateError",
    "PluginError",
    "ProviderAPIError",
    "ProviderContractError",
    "UnknownProviderError",
]
