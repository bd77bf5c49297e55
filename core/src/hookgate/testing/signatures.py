"""The signature tests of the contract kit: what a provider signs, it verifies, and nothing else."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hookgate.provider_hooks import ProviderHooks
from hookgate.testing.kit import GENERIC_BODY, PREVIOUS_SECRET, KitBase, expect
from hookgate.types import SourceContext


class SignatureTests(KitBase):
    """``sign_payload`` and ``verify_signature`` agree, with every secret, and with the sender."""

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


__all__ = ["SignatureTests"]
