"""Contract tests every provider must pass.

Subclass :class:`ProviderContract` in your provider's test suite::

    from hookgate.testing import ProviderContract

    class TestAcmeContract(ProviderContract):
        provider = "acme"
        source_config = {"region": "eu"}

        def headers_for_event(self, event_type: str) -> dict[str, str]:
            return {"X-Acme-Event": event_type}

Each test's docstring says what to fix when it fails. Tests that do not
apply to a provider (no schemas, no OAuth) skip rather than pass silently.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from hookgate import hookspecs
from hookgate.plugins import PluginManager
from hookgate.provider_hooks import ProviderHooks
from hookgate.schemas import event_validator, schema_errors
from hookgate.types import EventSchema, Headers, SourceContext, WebhookRequest

GENERIC_BODY = b'{"hello": "world", "n": 1}'


class ProviderContract:
    """Base class of the provider contract tests (pytest collects subclasses)."""

    #: The entry-point name of the provider under test.
    provider: ClassVar[str]
    #: Provider settings for the test source (validated by the provider's config model).
    source_config: ClassVar[dict[str, Any]] = {}
    #: The signing secret of the test source.
    secret: ClassVar[str] = "contract-test-secret-0123456789abcdef"  # noqa: S105

    def headers_for_event(self, event_type: str) -> dict[str, str]:
        """Headers (besides the signature) a real delivery of ``event_type`` carries.

        Override when the provider reads the event type or delivery id from
        headers; the default sends none.
        """
        return {}

    # -- fixtures ---------------------------------------------------------------

    @pytest.fixture(scope="class")
    @classmethod
    def plugins(cls) -> PluginManager:
        return PluginManager([cls.provider])

    @pytest.fixture(scope="class")
    @classmethod
    def hooks(cls, plugins: PluginManager) -> ProviderHooks:
        record = next((r for r in plugins.records() if r.name == cls.provider), None)
        if record is None:
            pytest.fail(
                f"no entry point named {cls.provider!r} in group {hookspecs.ENTRY_POINT_GROUP}: "
                "declare it in pyproject.toml and reinstall the package"
            )
        if record.status != "ok":
            pytest.fail(f"provider {cls.provider!r} did not load: {record.status_text}")
        return plugins.provider(cls.provider)

    @pytest.fixture
    def source(self) -> SourceContext:
        return SourceContext(
            id="src_contract",
            provider=self.provider,
            name="contract",
            url="https://hookgate.test/hooks/src_contract/urlsecret",
            secrets=(self.secret,),
            config=self.source_config,
        )

    def request(self, body: bytes, headers: dict[str, str]) -> WebhookRequest:
        return WebhookRequest(
            method="POST",
            path="/hooks/src_contract/urlsecret",
            headers=Headers({"Content-Type": "application/json", **headers}),
            body=body,
            received_at=datetime.now(UTC),
        )

    def signed(
        self,
        hooks: ProviderHooks,
        source: SourceContext,
        body: bytes,
        extra: dict[str, str] | None = None,
    ) -> WebhookRequest:
        signature = hooks.sign_payload(source, body, datetime.now(UTC))
        return self.request(body, {**(extra or {}), **signature})

    # -- loading and identity ---------------------------------------------------------

    def test_loads_through_entry_point(self, plugins: PluginManager) -> None:
        """The provider is found through its entry point and loads cleanly.

        Troubleshooting: check the ``[project.entry-points."hookgate.providers"]``
        table, reinstall (``uv sync``), and read the reason ``hookgate providers``
        prints.
        """
        record = next(r for r in plugins.records() if r.name == self.provider)
        assert record.status == "ok", record.status_text
        assert record.distribution, "the entry point must come from an installed distribution"

    def test_implements_required_hooks(self, hooks: ProviderHooks) -> None:
        """Every required hook is implemented (and the OAuth ones when ``needs_oauth``)."""
        required = set(hookspecs.REQUIRED_HOOKS)
        if hooks.provider_info().needs_oauth:
            required |= hookspecs.REQUIRED_OAUTH_HOOKS
        missing = sorted(h for h in required if not hooks.implements(h))
        assert not missing, f"implement these hooks: {missing}"

    def test_identity(self, hooks: ProviderHooks) -> None:
        """``provider_info`` names the provider as its entry point does and has a title."""
        info = hooks.provider_info()
        assert info.name == self.provider
        assert info.title.strip()
        assert all(h == h.lower() for h in info.kept_headers), "kept_headers must be lower case"

    def test_source_config_validates(self, hooks: ProviderHooks) -> None:
        """The test source's settings are accepted by the provider's config model."""
        model = hooks.provider_info().config_model
        if model is None:
            assert not self.source_config, "source_config given but the provider has no model"
            return
        model.model_validate(self.source_config)

    # -- schemas ----------------------------------------------------------------------

    def _schemas(self, hooks: ProviderHooks) -> list[EventSchema]:
        schemas = hooks.event_schemas()
        if not schemas:
            pytest.skip("this provider defines event types per source")
        return schemas

    def test_schemas_are_valid_json_schema(self, hooks: ProviderHooks) -> None:
        """Each event schema is a valid JSON Schema with a description."""
        for schema in self._schemas(hooks):
            event_validator(schema)  # raises SchemaError with the exact problem
            assert schema.description.strip(), f"{schema.event_type}: add a description"

    def test_samples_validate(self, hooks: ProviderHooks) -> None:
        """Each sample payload validates against its own schema."""
        for schema in self._schemas(hooks):
            errors = schema_errors(event_validator(schema), schema.sample)
            assert not errors, f"{schema.event_type} sample fails its schema: {errors}"

    def test_event_types_are_unique(self, hooks: ProviderHooks) -> None:
        types = [s.event_type for s in hooks.event_schemas()]
        assert len(types) == len(set(types)), "two schemas share an event type"

    # -- signatures -------------------------------------------------------------------

    def test_signed_request_verifies(self, hooks: ProviderHooks, source: SourceContext) -> None:
        """What the provider signs with ``sign_payload``, it verifies."""
        result = hooks.verify_signature(source, self.signed(hooks, source, GENERIC_BODY))
        assert result.valid, result.reason

    def test_tampered_body_is_rejected(self, hooks: ProviderHooks, source: SourceContext) -> None:
        """A body changed after signing is rejected, with a reason."""
        good = self.signed(hooks, source, GENERIC_BODY)
        tampered = self.request(GENERIC_BODY.replace(b"1", b"2"), dict(good.headers))
        result = hooks.verify_signature(source, tampered)
        if result.unsigned:
            pytest.skip("this source configuration accepts unsigned deliveries")
        assert not result.valid
        assert result.reason

    def test_wrong_secret_is_rejected(self, hooks: ProviderHooks, source: SourceContext) -> None:
        other = replace(source, secrets=("another-secret-entirely",))
        result = hooks.verify_signature(source, self.signed(hooks, other, GENERIC_BODY))
        if result.unsigned:
            pytest.skip("this source configuration accepts unsigned deliveries")
        assert not result.valid

    def test_unsigned_request_is_rejected(
        self, hooks: ProviderHooks, source: SourceContext
    ) -> None:
        """A delivery without any signature header is rejected with a reason."""
        result = hooks.verify_signature(source, self.request(GENERIC_BODY, {}))
        if result.unsigned:
            pytest.skip("this source configuration accepts unsigned deliveries")
        assert not result.valid
        assert result.reason

    def test_rotated_secret_still_verifies(
        self, hooks: ProviderHooks, source: SourceContext
    ) -> None:
        """During rotation the previous secret (second in ``secrets``) still verifies."""
        old = replace(source, secrets=("previous-secret-0000",))
        both = replace(source, secrets=(self.secret, "previous-secret-0000"))
        assert hooks.verify_signature(both, self.signed(hooks, old, GENERIC_BODY)).valid

    # -- identification -----------------------------------------------------------------

    def test_samples_are_identified(self, hooks: ProviderHooks, source: SourceContext) -> None:
        """Each sample, delivered with its headers, is identified as its event type."""
        for schema in self._schemas(hooks):
            body = json.dumps(schema.sample, separators=(",", ":")).encode()
            request = self.signed(hooks, source, body, self.headers_for_event(schema.event_type))
            identity = hooks.identify_event(source, request)
            assert identity.event_type == schema.event_type
