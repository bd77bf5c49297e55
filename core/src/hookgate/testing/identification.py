"""The identification tests of the contract kit: event types, delivery ids, handshakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hookgate.provider_hooks import ProviderHooks
from hookgate.testing.kit import KitBase, expect, how_to_fix
from hookgate.types import EventIdentity, SourceContext


class IdentificationTests(KitBase):
    """Deliveries are named as their senders mean them, and redeliveries deduplicate."""

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


__all__ = ["IdentificationTests"]
