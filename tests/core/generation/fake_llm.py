"""A fake OpenAI-compatible chat-completions server with scripted answers.

It follows the documented shape of ``POST /v1/chat/completions``: the request
carries ``model``, ``messages`` and optionally ``tools``/``tool_choice``; a
forced function call comes back as ``choices[0].message.tool_calls[0]`` whose
``function.arguments`` is a JSON *string*. Each request is recorded (body,
headers, arrival time) so tests can read the prompt the generator sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.server import running_server

MODEL = "fake-model"


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to sit on the request first (a hang when longer than the client's timeout).
    delay: float = 0.0


def completion(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def tool_arguments(arguments: str, name: str = "set_filter") -> Reply:
    """A tool call with ``arguments`` exactly as given (possibly malformed JSON)."""
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}
    return Reply(body=completion({"role": "assistant", "content": None, "tool_calls": [call]}))


def tool_call(filter_text: str) -> Reply:
    """The model calls ``set_filter`` with ``filter_text``."""
    return tool_arguments(json.dumps({"filter": filter_text}))


def content(text: str) -> Reply:
    """A plain message, as a server without function calling answers."""
    return Reply(body=completion({"role": "assistant", "content": text}))


def error(status: int, message: str = "error", **headers: str) -> Reply:
    return Reply(status, {"error": {"message": message, "type": "error"}}, dict(headers))


class FakeLLM:
    """Answers each request with the next scripted :class:`Reply`; the last one repeats."""

    def __init__(self, *replies: Reply) -> None:
        assert replies, "script at least one reply"
        self.script = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.times: list[float] = []
        self.base_url = ""
        self.release = asyncio.Event()
        self.app = Starlette(
            routes=[Route("/v1/chat/completions", self.complete, methods=["POST"])]
        )

    async def complete(self, request: Request) -> Response:
        self.times.append(time.monotonic())
        self.requests.append(json.loads(await request.body()))
        self.headers.append(dict(request.headers))
        reply = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if reply.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), reply.delay)
        return JSONResponse(reply.body, reply.status, headers=reply.headers)

    def prompt(self, index: int = -1) -> str:
        """Every message text of request ``index``, joined."""
        return "\n".join(m["content"] for m in self.requests[index]["messages"])

    def last_message(self, index: int = -1) -> str:
        return str(self.requests[index]["messages"][-1]["content"])


@contextlib.asynccontextmanager
async def fake_llm(*replies: Reply) -> AsyncIterator[FakeLLM]:
    """Serve a :class:`FakeLLM` on a loopback port; ``base_url`` ends in ``/v1``."""
    fake = FakeLLM(*replies)
    async with running_server(fake.app) as url:
        fake.base_url = f"{url}/v1"
        try:
            yield fake
        finally:
            fake.release.set()  # let a deliberately hung request end so the server can stop
