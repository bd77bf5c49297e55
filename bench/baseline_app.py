"""The baseline for bench/ingest.py: a bare Starlette endpoint that only checks the
HMAC-SHA256 signature of the raw body and parses the JSON (with orjson, as
hookgate does), then answers 202.

Run by the benchmark as ``uvicorn bench.baseline_app:app``; the secret comes
from ``BENCH_SECRET``.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SECRET = os.environ.get("BENCH_SECRET", "bench-secret").encode()


async def receive(request: Request) -> Response:
    body = await request.body()
    given = request.headers.get("x-signature", "").removeprefix("sha256=")
    expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given, expected):
        return JSONResponse({"error": "bad signature"}, 401)
    orjson.loads(body)  # the parser hookgate uses
    return JSONResponse({"ok": True}, 202)


app = Starlette(routes=[Route("/hooks/{source_id}/{url_secret}", receive, methods=["POST"])])
