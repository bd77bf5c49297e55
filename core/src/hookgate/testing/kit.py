"""What the contract kit's test classes share: the provider under test, its source, helpers.

Provider packages subclass :class:`hookgate.testing.ProviderContract` (or
``RegistrationContract``); this module is its foundation.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from hookgate import hookspecs
from hookgate.config import provider_settings
from hookgate.errors import ConfigurationError
from hookgate.plugins import PluginManager, ProviderRecord
from hookgate.provider_hooks import ProviderHooks
from hookgate.types import EventIdentity, EventSchema, Headers, SourceContext, WebhookRequest

GENERIC_BODY = b'{"hello": "world", "n": 1}'
#: The previous secret of the test source during a rotation.
PREVIOUS_SECRET = "contract-previous-secret-fedcba9876543210"  # noqa: S105 - a test value


@dataclass(frozen=True)
class SignedVector:
    """A delivery signed by the real sender (copied from the provider's docs or a capture).

    The kit checks that ``verify_signature`` accepts it for a source whose
    secret is ``secret``, so sign and verify cannot agree on a wrong scheme.
    """

    secret: str
    body: bytes
    headers: dict[str, str]
    #: When it was received; set it for schemes with a timestamp tolerance.
    received_at: datetime | None = None


def how_to_fix(hint: str) -> str:
    return f"\n  How to fix the provider: {hint}"


def expect(ok: object, problem: str, fix: str) -> None:
    """Fail the current test with ``problem`` and what to change in the provider."""
    if not ok:
        pytest.fail(problem + how_to_fix(fix), pytrace=False)


class KitBase:
    """What every kit test class shares: the provider under test, its test source, helpers."""

    #: The entry-point name of the provider under test.
    provider: ClassVar[str]
    #: A plugin object to register by hand instead of loading the entry point
    #: (embedded providers, the kit's own tests).
    plugin: ClassVar[object | None] = None
    #: Provider settings for the test source (validated by the provider's config model).
    source_config: ClassVar[dict[str, Any]] = {}
    #: The signing secret of the test source.
    secret: ClassVar[str] = "contract-test-secret-0123456789abcdef"  # noqa: S105
    #: Whether the provider's senders give each delivery an id (``False``: core
    #: deduplicates identical bodies within a time window instead).
    delivery_ids: ClassVar[bool] = True
    #: A delivery signed by the real sender, checked against ``verify_signature``.
    known_good: ClassVar[SignedVector | None] = None
    #: Installation settings the ingest hooks get (validated by the provider's
    #: ``installation_model``, as core reads them: keyword overrides of the environment).
    installation: ClassVar[dict[str, Any]] = {}
    #: The test source's OAuth connection (``None``: a source configured by hand).
    connection_id: ClassVar[str | None] = None

    def headers_for_event(self, event_type: str) -> dict[str, str]:
        """Headers (besides the signature) a real delivery of ``event_type`` carries."""
        return {}

    def delivery(
        self, event_type: str, payload: Any, delivery_id: str
    ) -> tuple[dict[str, str], Any]:
        """The headers and payload of a delivery of ``event_type`` whose id is ``delivery_id``.

        Override it to put the id where the provider's sender does (a header,
        or a body field). The default sends :meth:`headers_for_event` and the
        payload unchanged, which carries no id at all.
        """
        return self.headers_for_event(event_type), payload

    def handshake(self) -> tuple[dict[str, str], Any] | None:
        """Headers and payload of the provider's reachability check (a "ping"), if it has one."""
        return None

    # -- fixtures ---------------------------------------------------------------

    @pytest.fixture(scope="class")
    @classmethod
    def plugins(cls) -> PluginManager:
        if cls.plugin is None:
            return PluginManager([cls.provider])
        manager = PluginManager(entry_points=False)
        manager.add_provider(cls.plugin, cls.provider, distribution="(registered by hand)")
        return manager

    @pytest.fixture(scope="class")
    @classmethod
    def hooks(cls, plugins: PluginManager) -> ProviderHooks:
        record = cls._record(plugins)
        if record.status != "ok":
            pytest.fail(
                f"provider {cls.provider!r} did not load: {record.status_text}"
                + how_to_fix(
                    "the reason above names the hook or file; `hookgate providers` shows it too"
                )
            )
        hooks = plugins.provider(cls.provider)
        model = hooks.provider_info().installation_model
        if model is not None:
            # When they do not load, test_installation_settings_load says what is wrong.
            with contextlib.suppress(ConfigurationError):
                hooks.use_installation(provider_settings(cls.provider, model, **cls.installation))
        return hooks

    @pytest.fixture
    def source(self) -> SourceContext:
        return SourceContext(
            id="src_contract",
            provider=self.provider,
            name="contract",
            url="https://hookgate.test/hooks/src_contract/urlsecret",
            secrets=(self.secret,),
            config=self.source_config,
            connection_id=self.connection_id,
        )

    @classmethod
    def _record(cls, plugins: PluginManager) -> ProviderRecord:
        record = next((r for r in plugins.records() if r.name == cls.provider), None)
        if record is None:
            pytest.fail(
                f"no entry point named {cls.provider!r} in group {hookspecs.ENTRY_POINT_GROUP}"
                + how_to_fix(
                    f'declare `[project.entry-points."{hookspecs.ENTRY_POINT_GROUP}"] '
                    f'{cls.provider} = "<your module>"` in pyproject.toml and reinstall '
                    "(`uv pip install -e .` or `uv sync`)"
                )
            )
        return record

    def request(
        self, body: bytes, headers: dict[str, str], received_at: datetime | None = None
    ) -> WebhookRequest:
        return WebhookRequest(
            method="POST",
            path="/hooks/src_contract/urlsecret",
            headers=Headers({"Content-Type": "application/json", **headers}),
            body=body,
            received_at=received_at or datetime.now(UTC),
        )

    def signed(
        self,
        hooks: ProviderHooks,
        source: SourceContext,
        body: bytes,
        extra: dict[str, str] | None = None,
        at: datetime | None = None,
    ) -> WebhookRequest:
        signature = hooks.sign_payload(source, body, at or datetime.now(UTC))
        return self.request(body, {**(extra or {}), **signature})

    def delivered(
        self,
        hooks: ProviderHooks,
        source: SourceContext,
        event_type: str,
        payload: Any,
        delivery_id: str,
        at: datetime | None = None,
    ) -> WebhookRequest:
        """A signed delivery as the sender makes it; its own headers win over the signer's."""
        headers, payload = self.delivery(event_type, payload, delivery_id)
        body = json.dumps(payload, separators=(",", ":")).encode()
        signature = hooks.sign_payload(source, body, at or datetime.now(UTC))
        return self.request(body, {**signature, **headers}, at)

    def _schemas(self, hooks: ProviderHooks) -> list[EventSchema]:
        schemas = hooks.event_schemas()
        if not schemas:
            pytest.skip("this provider defines event types per source")
        return schemas

    def _identify(
        self, hooks: ProviderHooks, source: SourceContext, request: WebhookRequest
    ) -> EventIdentity:
        try:
            return hooks.identify_event(source, request)
        except ValueError as exc:
            pytest.fail(
                f"identify_event refused a well-formed delivery: {exc}"
                + how_to_fix(
                    "read the event type and delivery id where the sender puts them; if the "
                    "kit sends them in the wrong place, override delivery() in your test class"
                )
            )


__all__ = ["GENERIC_BODY", "PREVIOUS_SECRET", "KitBase", "SignedVector", "expect", "how_to_fix"]
