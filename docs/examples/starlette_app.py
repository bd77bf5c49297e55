"""hookgate mounted in a Starlette application (docs/embedding.md).

Run it with ``uvicorn --app-dir docs/examples starlette_app:app``. The host keeps its
own routes, its own sessions and its own agents: hookgate receives webhooks under
``/hookgate``, and every run it starts arrives in :class:`AgentQueue`, in this process.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import hookgate
from hookgate import (
    AuthenticationError,
    Delivery,
    DeliveryResult,
    Headers,
    Principal,
    Runtime,
    Settings,
    create_app,
    hookimpl,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

#: The host's own sessions (a real application has a session store).
SESSIONS = {"session-alice": "alice"}


class AgentQueue:
    """A run sink: how runs reach the host's agents. Here, a list the host shows."""

    name = "agents"  # selected with Settings(sink="agents") or HOOKGATE_SINK=agents

    def __init__(self) -> None:
        self.runs: list[Delivery] = []

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        self.runs.append(delivery)  # hand it to an agent here; raise to have it retried
        return DeliveryResult(conversation_id=f"conversation-{delivery.run_id}")


class HostAuth:
    """The host's sessions decide who uses hookgate's admin API (``/hookgate/api/v1``)."""

    @hookimpl
    def authenticate(self, headers: Headers, method: str, path: str) -> Principal | None:
        session = headers.get("x-session")
        if session is None:
            return None  # not the host's caller: hookgate's own API keys decide
        user = SESSIONS.get(session)
        if user is None:
            raise AuthenticationError("unknown session: sign in again")
        return Principal(workspace_id="default", user_id=user, role="admin")


agents = AgentQueue()
# One call registers the in-process plugins; the rest of the settings come from HOOKGATE_*.
runtime = Runtime(Settings(sink="agents"), register=[agents, HostAuth()])
hook = create_app(runtime)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # A mounted app's lifespan never runs by itself: run hookgate's inside the host's.
    async with hookgate.running(hook):
        yield


async def runs(request: Request) -> JSONResponse:
    """The host's own page: the runs its agents received."""
    return JSONResponse(
        [{"run_id": r.run_id, "agent": r.agent_id, "payload": r.payload} for r in agents.runs]
    )


app = Starlette(
    routes=[Route("/agent-runs", runs), Mount("/hookgate", app=hook)],
    lifespan=lifespan,
)
