"""The kit's guard against overridden tests (langchain's ``test_no_overrides_DO_NOT_OVERRIDE``).

A provider's test class that replaces a kit test with its own version makes
the kit pass for a provider that breaks the contract. An override is allowed
only when it is marked ``skip`` or ``xfail`` with a reason, so the gap is
visible in the test report and in review.
"""

from __future__ import annotations

from typing import Any

#: Kit classes are those defined in this package.
KIT_PACKAGE = "hookgate.testing"


def _is_kit(klass: type) -> bool:
    return klass.__module__ == KIT_PACKAGE or klass.__module__.startswith(KIT_PACKAGE + ".")


def _marked_with_reason(function: Any) -> bool:
    for mark in getattr(function, "pytestmark", ()):
        if mark.name in ("skip", "xfail") and (mark.kwargs.get("reason") or mark.args):
            return True
    return False


def overridden_kit_tests(cls: type) -> list[str]:
    """Names of kit tests that ``cls`` (or a class between it and the kit) replaced or deleted."""
    found = []
    for name in sorted({n for k in cls.__mro__ if _is_kit(k) for n in vars(k)}):
        if not name.startswith("test_"):
            continue
        kit_function = next(vars(k)[name] for k in cls.__mro__ if _is_kit(k) and name in vars(k))
        current = getattr(cls, name, None)
        if current is not kit_function and not _marked_with_reason(current):
            found.append(name)
    return found


__all__ = ["overridden_kit_tests"]
