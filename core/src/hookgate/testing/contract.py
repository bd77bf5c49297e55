"""Contract tests every provider must pass.

Subclass :class:`ProviderContract` in your provider's test suite::

    from hookgate.testing import ProviderContract

    class TestAcmeContract(ProviderContract):
        provider = "acme"
        source_config = {"region": "eu"}

        def delivery(self, event_type, payload, delivery_id):
            return {"X-Acme-Event": event_type, "X-Acme-Delivery": delivery_id}, payload

Every failure says what to change in the provider. Tests that do not apply
(no schemas, no handshake, an unsigned configuration) skip rather than pass
silently; a subclass must never override a kit test (the last test checks).
"""

from __future__ import annotations

import pytest
from jsonschema.exceptions import SchemaError
from pydantic import ValidationError

from hookgate import hookspecs
from hookgate.config import provider_settings
from hookgate.errors import ConfigurationError
from hookgate.plugins import PluginManager
from hookgate.provider_hooks import ProviderHooks
from hookgate.schemas import event_validator, schema_errors
from hookgate.testing.guard import overridden_kit_tests
from hookgate.testing.identification import IdentificationTests
from hookgate.testing.kit import GENERIC_BODY, SignedVector, expect, how_to_fix
from hookgate.testing.signatures import SignatureTests


class ProviderContract(SignatureTests, IdentificationTests):
    """Base class of the provider contract tests (pytest collects subclasses)."""

    # -- loading and identity ---------------------------------------------------------

    def test_loads_through_entry_point(self, plugins: PluginManager) -> None:
        """The provider is found through its entry point and loads cleanly."""
        if self.plugin is not None:
            pytest.skip("the plugin is registered by hand (plugin = ...), not an entry point")
        record = self._record(plugins)
        expect(
            record.status == "ok",
            record.status_text,
            "read the reason; `hookgate providers` prints it too",
        )
        expect(record.distribution, "the entry point is not from a distribution", "pip install it")

    def test_implements_required_hooks(self, hooks: ProviderHooks) -> None:
        """Every required hook is implemented (and the OAuth ones when ``needs_oauth``)."""
        required = set(hookspecs.REQUIRED_HOOKS)
        if hooks.provider_info().needs_oauth:
            required |= hookspecs.REQUIRED_OAUTH_HOOKS
        missing = sorted(h for h in required if not hooks.implements(h))
        expect(
            not missing,
            f"hooks {missing} are missing",
            "implement them with @hookimpl (docs/hooks.md has a section per hook)",
        )

    def test_identity(self, hooks: ProviderHooks) -> None:
        """``provider_info`` names the provider as its entry point does and has a title."""
        info = hooks.provider_info()
        expect(
            info.name == self.provider, "provider_info().name differs", "use the entry-point name"
        )
        expect(info.title.strip(), "provider_info().title is empty", "give it a title")
        expect(
            all(h == h.lower() for h in info.kept_headers),
            "kept_headers",
            "write kept_headers in lower case",
        )

    def test_source_config_validates(self, hooks: ProviderHooks) -> None:
        """The test source's settings are accepted by the provider's config model."""
        model = hooks.provider_info().config_model
        if model is None:
            expect(
                not self.source_config,
                "source_config given but there is no model",
                "set ProviderInfo.config_model, or drop source_config from the test class",
            )
            return
        try:
            model.model_validate(self.source_config)
        except ValidationError as exc:
            pytest.fail(
                f"{model.__name__} refuses the test source's settings: {exc}"
                + how_to_fix("make source_config valid, or the model accept what senders need"),
                pytrace=False,
            )

    def test_installation_settings_load(self, hooks: ProviderHooks) -> None:
        """Installation settings load with nothing set, and with the test's, via core's reader.

        The ingest hooks get them at the first delivery: a model that cannot load without a
        value would turn every delivery into a provider error instead of a clear refusal.
        """
        model = hooks.provider_info().installation_model
        if model is None:
            expect(
                not self.installation,
                "installation given but there is no installation model",
                "set ProviderInfo.installation_model, or drop installation from the test class",
            )
            pytest.skip("the provider declares no installation settings")
        try:
            model.model_validate({})
        except ValidationError as exc:
            missing = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
            pytest.fail(
                f"installation settings {missing} have no default"
                + how_to_fix(
                    "give every installation setting a default (None for a secret) and let "
                    "verify_signature say which HOOKGATE_<PROVIDER>_<KEY> to set when it is missing"
                ),
                pytrace=False,
            )
        try:
            loaded = provider_settings(self.provider, model, **self.installation)
        except ConfigurationError as exc:
            pytest.fail(
                f"the test's installation settings are refused: {exc}"
                + how_to_fix("make installation valid for installation_model"),
                pytrace=False,
            )
        expect(
            hooks.installation() == loaded,
            "the ingest hooks would not get the installation settings core reads",
            "declare ProviderInfo.installation_model as a pydantic model",
        )

    # -- schemas ----------------------------------------------------------------------

    def test_schemas_are_valid_json_schema(self, hooks: ProviderHooks) -> None:
        """Each event schema is a valid JSON Schema with a description."""
        for schema in self._schemas(hooks):
            try:
                event_validator(schema)
            except SchemaError as exc:
                pytest.fail(
                    f"the {schema.event_type} schema is not valid JSON Schema: {exc.message}"
                    + how_to_fix(
                        f"correct the schema at {'/'.join(map(str, exc.path)) or 'its root'}"
                    ),
                    pytrace=False,
                )
            expect(
                schema.description.strip(),
                f"{schema.event_type} has no description",
                "say in one sentence when the event is sent",
            )

    def test_samples_validate(self, hooks: ProviderHooks) -> None:
        """Each sample payload validates against its own schema."""
        for schema in self._schemas(hooks):
            errors = schema_errors(event_validator(schema), schema.sample)
            expect(
                not errors,
                f"{schema.event_type} sample fails its schema: {errors}",
                "correct the schema or the sample (use a real captured payload)",
            )

    def test_event_types_are_unique(self, hooks: ProviderHooks) -> None:
        types = [s.event_type for s in hooks.event_schemas()]
        twice = sorted({t for t in types if types.count(t) > 1})
        expect(not twice, f"event types {twice} have two schemas", "keep one of each")

    # -- the kit itself -------------------------------------------------------------------

    def test_no_overrides_DO_NOT_OVERRIDE(self) -> None:
        """A subclass must not override or delete a kit test: that hides a broken provider."""
        overridden = overridden_kit_tests(type(self))
        expect(
            not overridden,
            f"{type(self).__name__} overrides kit tests {overridden}",
            "delete the override and fix what the kit test reports; if a test truly does "
            "not apply, keep the override but mark it @pytest.mark.skip(reason='why') or "
            "@pytest.mark.xfail(reason='why') so the gap shows in review",
        )


__all__ = ["GENERIC_BODY", "ProviderContract", "SignedVector", "expect", "how_to_fix"]
