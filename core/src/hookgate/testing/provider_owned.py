"""Kit tests for what the provider owns: connection parameters and issued secrets.

Two contract features a registering provider may use (docs/hooks.md):

- ``ProviderInfo.connection_model``: endpoints that depend on what the admin
  gives (an account's own host). The model must refuse anything that could
  point elsewhere; the test class lists such values in
  ``refused_connection_params`` and a valid set in ``connection_params``.
- ``RemoteHook.issued_secret`` and ``rotate_webhook_secret``: the provider
  issues each hook's signing secret itself. Created hooks must come back with
  it, and a rotation must return a different one that verifies deliveries.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from hookgate.testing.kit import KitBase, expect

if TYPE_CHECKING:
    from hookgate.provider_hooks import ProviderHooks
    from hookgate.testing.registration import RegistrationFake
    from hookgate.types import RemoteHook, SourceContext


class ProviderOwnedTests(KitBase):
    #: Connection parameters the provider's ``connection_model`` accepts.
    connection_params: ClassVar[dict[str, str]] = {}
    #: Connection parameters it must refuse: hosts elsewhere, paths, ports, schemes.
    refused_connection_params: ClassVar[tuple[dict[str, str], ...]] = ()

    def test_connection_params_are_validated(self, hooks: ProviderHooks) -> None:
        """A connection model accepts the valid parameters and refuses the unsafe ones."""
        if hooks.provider_info().connection_model is None:
            pytest.skip("the provider's OAuth endpoints depend on no connection parameter")
        expect(
            bool(self.refused_connection_params),
            "no refused_connection_params: nothing shows the model refuses a host elsewhere",
            "list values that must be refused (another host, a path, '@', a port)",
        )
        spec = hooks.oauth_client(hooks.connection_params(self.connection_params))
        expect(
            spec is not None and spec.authorize_url.startswith(("https://", "http://")),
            "oauth_client(connection) gave no absolute authorize URL",
            "build the endpoints from the validated connection parameters",
        )
        for bad in self.refused_connection_params:
            try:
                hooks.connection_params(bad)
            except ValueError:
                continue
            pytest.fail(f"connection parameters {bad} were accepted", pytrace=False)

    def test_issued_secret_is_read_back_and_rotated(
        self, hooks: ProviderHooks, fake: RegistrationFake, reg_source: SourceContext
    ) -> None:
        """A created hook carries the secret the provider issued; rotating gives a new one."""
        if not hooks.implements("rotate_webhook_secret"):
            pytest.skip("the provider signs with the source's own secret")
        target = fake.targets[0]

        async def scenario() -> tuple[RemoteHook, RemoteHook]:
            async with fake.client() as client:
                created = await hooks.create_webhook(reg_source, target, client)
                return created, await hooks.rotate_webhook_secret(reg_source, created, client)

        created, rotated = asyncio.run(scenario())
        first, second = _secret(created), _secret(rotated)
        expect(
            first is not None and second is not None and first != second,
            "create_webhook/rotate_webhook_secret returned no issued_secret, or the same one",
            "read the secret back after creating, and after resetting it at the provider",
        )
        assert second is not None
        issued = replace(reg_source, secrets=(second,))
        body = b'{"hello": "issued"}'
        headers = hooks.sign_payload(issued, body, datetime.now(UTC))
        verdict = hooks.verify_signature(issued, self.request(body, dict(headers)))
        expect(
            verdict.valid,
            f"a delivery signed with the issued secret is refused: {verdict.reason}",
            "verify with source.secrets, where core stores the issued secret",
        )


def _secret(hook: Any) -> str | None:
    value = getattr(hook, "issued_secret", None)
    return value.get_secret_value() if value is not None else None


__all__ = ["ProviderOwnedTests"]
