"""The provider test kit: contract tests any provider package can run.

Install with ``hookgate-core[testing]`` and subclass
:class:`ProviderContract` (see :mod:`hookgate.testing.contract`).
"""

from __future__ import annotations

from hookgate.testing.contract import GENERIC_BODY, ProviderContract

__all__ = ["GENERIC_BODY", "ProviderContract"]
