"""Running hookgate inside another ASGI application.

A mounted app's lifespan never runs: Starlette and FastAPI run the lifespan of
the application given to the server only. Without it the runtime is never
started (no migrations, no event writer, no worker), so the host must run
hookgate's lifespan from its own::

    hook = create_app(Runtime(settings, register=[MySink()]))
    app = Starlette(routes=[Mount("/hookgate", app=hook)], lifespan=hookgate.lifespan(hook))

or, inside a lifespan of the host's own, ``async with hookgate.running(hook): yield``.
Until then the app answers 503 ``not_started`` saying so (docs/embedding.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from starlette.applications import Starlette

HostLifespan = Callable[[Any], AbstractAsyncContextManager[Any]]


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[None]:
    """Run ``app``'s lifespan (an app from :func:`hookgate.create_app`) for the block:
    the runtime starts (migrations, event writer), then its worker and metrics listener."""
    async with app.router.lifespan_context(app):
        yield


def lifespan(app: Starlette, then: HostLifespan | None = None) -> HostLifespan:
    """A lifespan for the host application: hookgate's ``app`` first, then ``then``
    (the host's own lifespan, given the host app), stopped in the reverse order."""

    @contextlib.asynccontextmanager
    async def host_lifespan(host: Any) -> AsyncIterator[Any]:
        async with running(app):
            if then is None:
                yield None
                return
            async with then(host) as state:
                yield state

    return host_lifespan


__all__ = ["lifespan", "running"]
