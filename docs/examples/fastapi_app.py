"""hookgate mounted in a FastAPI application (docs/embedding.md).

Run it with ``uvicorn --app-dir docs/examples fastapi_app:app``. The same host as
``starlette_app.py``, with ``app.mount`` and the lifespan helper.
"""

from __future__ import annotations

import hookgate
from fastapi import FastAPI
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

SESSIONS = {"session-alice": "alice"}


class AgentQueue:
    """A run sink: runs for the host's agents, kept in memory here."""

    name = "agents"

    def __init__(self) -> None:
        self.runs: list[Delivery] = []

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        self.runs.append(delivery)
        return DeliveryResult(conversation_id=f"conversation-{delivery.run_id}")


class HostAuth:
    """The host's sessions, trusted by hookgate's admin API."""

    @hookimpl
    def authenticate(self, headers: Headers, method: str, path: str) -> Principal | None:
        session = headers.get("x-session")
        if session is None:
            return None
        user = SESSIONS.get(session)
        if user is None:
            raise AuthenticationError("unknown session: sign in again")
        return Principal(workspace_id="default", user_id=user, role="admin")


agents = AgentQueue()
hook = create_app(Runtime(Settings(sink="agents"), register=[agents, HostAuth()]))

# hookgate.lifespan(hook) is a whole lifespan; pass your own as `then=` to run it inside.
app = FastAPI(lifespan=hookgate.lifespan(hook))
app.mount("/hookgate", hook)


@app.get("/agent-runs")
async def runs() -> list[dict[str, object]]:
    """The host's own route: the runs its agents received."""
    return [{"run_id": r.run_id, "agent": r.agent_id, "payload": r.payload} for r in agents.runs]
