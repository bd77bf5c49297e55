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

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from jsonschema.exceptions import SchemaError
from pydantic import ValidationError

from hookgate import hookspecs
from hookgate.config import provider_settings
from hookgate.plugins import PluginManager, ProviderRecord
from hookgate.provider_hooks import ProviderHooks
from hookgate.schemas import event_validator, schema_errors
from hookgate.testing.guard import overridden_kit_tests
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


class ProviderContract:
    """Base class of the provider contract tests (pytest collects subclasses)."""

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
        """Installation settings load through core's reader and reach the ingest hooks."""
        model = hooks.provider_info().installation_model
        if model is None:
            expect(
                not self.installation,
                "installation given but there is no installation model",
                "set ProviderInfo.installation_model, or drop installation from the test class",
            )
            pytest.skip("the provider declares no installation settings")
        loaded = provider_settings(self.provider, model, **self.installation)
        expect(
            isinstance(hooks.installation(), model) and hooks.installation() == loaded,
            "the ingest hooks would not get the installation settings core reads",
            "declare ProviderInfo.installation_model as a pydantic model whose fields have "
            "defaults or come from HOOKGATE_<PROVIDER>_<KEY>",
        )

    # -- schemas ----------------------------------------------------------------------

    def _schemas(self, hooks: ProviderHooks) -> list[EventSchema]:
        schemas = hooks.event_schemas()
        if not schemas:
            pytest.skip("this provider defines event types per source")
        return schemas

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

    # -- signatures -------------------------------------------------------------------

    def test_signed_request_verifies(self, hooks: ProviderHooks, source: SourceContext) -> None:
        """What the provider signs with ``sign_payload``, it verifies."""
        result = hooks.verify_signature(source, self.signed(hooks, source, GENERIC_BODY))
        expect(
            result.valid,
            f"verify_signature rejected what sign_payload signed: {result.reason}",
            "sign and verify the same bytes (the raw body, plus any timestamp) with the same "
            "algorithm, encoding and header",
        )

    def test_every_live_secret_round_trips(
        self, hooks: ProviderHooks, source: SourceContext
    ) -> None:
        """Signed with any secret a source holds (current, generated, previous), it verifies."""
        generated = hooks.new_secret(replace(source, secrets=()))
        live = tuple(s for s in (self.secret, generated, PREVIOUS_SECRET) if s)
        holding = replace(source, secrets=live)
        for position, secret in enumerate(live):
            signer = replace(source, secrets=(secret,))
            result = hooks.verify_signature(holding, self.signed(hooks, signer, GENERIC_BODY))
            if result.unsigned:
                pytest.skip("this source configuration accepts unsigned deliveries")
            expect(
                result.valid,
                f"a delivery signed with source.secrets[{position}] of {len(live)} was "
                f"rejected: {result.reason}",
                "try every secret in source.secrets (rotation keeps the previous one valid), "
                "and accept secrets in the form new_secret() generates",
            )

    def test_tampered_body_is_rejected(self, hooks: ProviderHooks, source: SourceContext) -> None:
        """A body changed after signing is rejected, with a reason."""
        good = self.signed(hooks, source, GENERIC_BODY)
        tampered = self.request(GENERIC_BODY.replace(b"1", b"2"), dict(good.headers))
        result = hooks.verify_signature(source, tampered)
        if result.unsigned:
            pytest.skip("this source configuration accepts unsigned deliveries")
        expect(
            not result.valid,
            "a tampered body verified",
            "compute the HMAC over request.body, the raw bytes, and compare it",
        )
        expect(result.reason, "no reason given", "say why: Verification.fail('signature mismatch')")

    def test_wrong_secret_is_rejected(self, hooks: ProviderHooks, source: SourceContext) -> None:
        other = replace(source, secrets=("another-secret-entirely",))
        result = hooks.verify_signature(source, self.signed(hooks, other, GENERIC_BODY))
        if result.unsigned:
            pytest.skip("this source configuration accepts unsigned deliveries")
        expect(
            not result.valid,
            "a delivery signed with another secret verified",
            "key the HMAC with source.secrets, not a constant or the URL",
        )

    def test_unsigned_request_is_rejected(
        self, hooks: ProviderHooks, source: SourceContext
    ) -> None:
        """A delivery without any signature header is rejected with a reason."""
        result = hooks.verify_signature(source, self.request(GENERIC_BODY, {}))
        if result.unsigned:
            pytest.skip("this source configuration accepts unsigned deliveries")
        expect(
            not result.valid,
            "a delivery without a signature verified",
            "return Verification.fail('missing header ...') when the header is absent",
        )
        expect(
            result.reason, "no reason given", "name the header: Verification.fail('missing ...')"
        )

    def test_known_good_vector_verifies(self, hooks: ProviderHooks, source: SourceContext) -> None:
        """A delivery signed by the real sender verifies; the same one tampered does not."""
        vector = self.known_good
        if vector is None:
            pytest.skip("no known_good vector: add one from the provider's docs or a capture")
        real = replace(source, secrets=(vector.secret,))
        result = hooks.verify_signature(
            real, self.request(vector.body, vector.headers, vector.received_at)
        )
        expect(
            result.valid,
            f"the sender's own signature was rejected: {result.reason}",
            "sign_payload and verify_signature agree with each other but not with the sender: "
            "check the header name, the algorithm, hex vs base64 and what exactly is signed",
        )
        tampered = self.request(vector.body + b" ", vector.headers, vector.received_at)
        expect(
            not hooks.verify_signature(real, tampered).valid,
            "the known-good vector still verified with a byte added to its body",
            "compute the HMAC over request.body, the raw bytes",
        )

    # -- identification -----------------------------------------------------------------

    def test_samples_are_identified(self, hooks: ProviderHooks, source: SourceContext) -> None:
        """Each sample, delivered as its sender does, is identified as its event type."""
        ping = self._ping(hooks, source)
        ping_type = ping.event_type if ping is not None else None
        for n, schema in enumerate(self._schemas(hooks)):
            request = self.delivered(hooks, source, schema.event_type, schema.sample, f"kit-{n}")
            identity = self._identify(hooks, source, request)
            expect(
                identity.event_type == schema.event_type,
                f"the {schema.event_type} sample was identified as {identity.event_type!r}",
                "derive the event type the way event_schemas() names it",
            )
            expect(
                not identity.handshake or schema.event_type == ping_type,
                f"the {schema.event_type} sample is a handshake",
                "set handshake=True only for the provider's ping, never for real events (if "
                "it is the ping, return it from handshake() in the test class)",
            )

    def _ping(self, hooks: ProviderHooks, source: SourceContext) -> EventIdentity | None:
        ping = self.handshake()
        if ping is None:
            return None
        headers, payload = ping
        body = json.dumps(payload, separators=(",", ":")).encode()
        signature = hooks.sign_payload(source, body, datetime.now(UTC))
        return self._identify(hooks, source, self.request(body, {**signature, **headers}))

    def _delivery_sample(self, hooks: ProviderHooks) -> tuple[str, Any]:
        schemas = hooks.event_schemas()
        return (schemas[0].event_type, schemas[0].sample) if schemas else ("event", {"n": 1})

    def _delivery_ids(
        self, hooks: ProviderHooks, source: SourceContext, *ids: str
    ) -> list[str | None]:
        if not self.delivery_ids:
            pytest.skip("delivery_ids = False: core deduplicates identical bodies instead")
        event_type, payload = self._delivery_sample(hooks)
        start = datetime.now(UTC)
        found = []
        for n, delivery_id in enumerate(ids):
            at = start + timedelta(seconds=n)  # a redelivery is signed again, later
            request = self.delivered(hooks, source, event_type, payload, delivery_id, at)
            found.append(self._identify(hooks, source, request).delivery_id)
        if found[0] is None:
            pytest.fail(
                "identify_event returned no delivery_id, so a redelivery would run twice"
                + how_to_fix(
                    "return the sender's delivery id (EventIdentity(delivery_id=...)); if the "
                    "kit does not send one, override delivery() to put it where the sender "
                    "does; if the sender has none, set delivery_ids = False in the test class"
                )
            )
        return found

    def test_delivery_id_is_stable_across_a_redelivery(
        self, hooks: ProviderHooks, source: SourceContext
    ) -> None:
        """The same delivery sent again (a retry, signed later) has the same delivery id."""
        first, again = self._delivery_ids(hooks, source, "kit-delivery-1", "kit-delivery-1")
        expect(
            first == again,
            f"one delivery sent twice got delivery ids {first!r} and {again!r}: the retry "
            "would start a second run",
            "read the id the sender keeps across retries (a delivery header or body id), "
            "never a timestamp, a signature or a random value",
        )

    def test_delivery_ids_are_distinct_across_events(
        self, hooks: ProviderHooks, source: SourceContext
    ) -> None:
        """Two different deliveries have different delivery ids."""
        first, second = self._delivery_ids(hooks, source, "kit-delivery-1", "kit-delivery-2")
        expect(
            first != second,
            f"two different deliveries both got delivery id {first!r}: the second would be "
            "dropped as a duplicate",
            "return the id of this delivery, not a constant or the event type",
        )

    def test_handshake_is_identified(self, hooks: ProviderHooks, source: SourceContext) -> None:
        """The provider's ping is a handshake: answered, stored, never a run."""
        identity = self._ping(hooks, source)
        if identity is None:
            pytest.skip("no handshake(): the provider sends no reachability check")
        expect(
            identity.handshake,
            "the ping was not identified as a handshake",
            "return EventIdentity(..., handshake=True) for it (and a handshake_response if "
            "the sender expects one)",
        )

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


__all__ = ["GENERIC_BODY", "PREVIOUS_SECRET", "ProviderContract", "SignedVector"]
