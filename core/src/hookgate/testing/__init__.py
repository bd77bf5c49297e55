"""The provider test kit: contract tests and fakes any provider package can use.

Install with ``hookgate-core[testing]`` and subclass :class:`ProviderContract`
(see :mod:`hookgate.testing.contract`), or :class:`RegistrationContract` for a
provider that registers its webhooks through OAuth (see
:mod:`hookgate.testing.registration`). :class:`FakeProviderAPI` and
:class:`FakeProvider` are a fake OAuth server, webhook API and provider plugin
for testing OAuth connections and webhook registration, and the skeleton
``hookgate new-provider --oauth`` starts from.
"""

from __future__ import annotations

from hookgate.testing.contract import GENERIC_BODY, ProviderContract, SignedVector
from hookgate.testing.fake_api import FakeHook, FakeProviderAPI
from hookgate.testing.fake_provider import FakeProvider, FakeRateLimited
from hookgate.testing.registration import (
    FakeAPIRegistration,
    RegistrationContract,
    RegistrationFake,
)

__all__ = [
    "GENERIC_BODY",
    "FakeAPIRegistration",
    "FakeHook",
    "FakeProvider",
    "FakeProviderAPI",
    "FakeRateLimited",
    "ProviderContract",
    "RegistrationContract",
    "RegistrationFake",
    "SignedVector",
]
