"""The hook implementation marker, in its own module so core modules can import it early."""

from __future__ import annotations

import pluggy

from hookgate.hookspecs import PROJECT

#: Marks a hook implementation: ``@hookimpl def verify_signature(source, request): ...``
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["hookimpl"]
