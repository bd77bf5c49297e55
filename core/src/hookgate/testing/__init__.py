"""The provider test kit: contract tests and fakes any provider package can use.

Install with ``hookgate-core[testing]`` and subclass
:class:`ProviderContract` (see :mod:`hookgate.testing.contract`).
:class:`FakeProviderAPI` and :class:`FakeProvider` (see
:mod:`hookgate.testing.fake_provider`) are a fake OAuth server, webhook API
and provider plugin for testing OAuth connections and webhook registration.
"""

from __future__ import annotations

from hookgate.testing.contract import GENERIC_BODY, ProviderContract
from hookgate.testing.fake_api import FakeHook, FakeProviderAPI
from hookgate.testing.fake_provider import FakeProvider, FakeRateLimited

__all__ = [
    "GENERIC_BODY",
    "FakeHook",
    "FakeProvider",
    "FakeProviderAPI",
    "FakeRateLimited",
    "ProviderContract",
]
