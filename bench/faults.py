"""Send the bad-input corpus of issue 13 to a real ``hookgate serve`` and print what happened.

    uv run python bench/faults.py [--database-url postgresql://.../an_empty_database]

Starts ``hookgate serve`` (ingest and a worker) on a temporary SQLite database
with a custom source (event type from the body's ``type``, delivery id from
its ``id``), a catch-all trigger and the HTTP sink pointed at a receiver in
this process. Each case is correctly signed, so only the content is at fault.
Per case it prints the answer, whether an event was stored (and its status
after dispatch), whether a 202 reached the sink, and what the event view
(``GET /api/v1/events/{id}``) answered. It exits 1 on any 5xx or any case
answered 202 whose run did not arrive (accepted but undeliverable).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hookgate import Runtime  # noqa: E402
from hookgate.config import load_settings  # noqa: E402
from hookgate.services import identity  # noqa: E402
from hookgate.services.common import Actor, default_actor  # noqa: E402
from hookgate.services.sources import create_source  # noqa: E402
from hookgate.services.triggers import create_trigger  # noqa: E402
from hookgate.signing import hex_signature  # noqa: E402
from hookgate.store.models import Event  # noqa: E402

from bench.ingest import HOOKGATE, SECRET_KEY, free_port, start, stop, wait_ready  # noqa: E402
from bench.load import SinkReceiver  # noqa: E402

MAX_BODY = 2 * 1024 * 1024
SINK_SECRET = "whsec_" + "QmVuY2hTaW5rU2VjcmV0IQ=="


def doc(event_id: str, extra: str = '"n": 1', event_type: str = '"t"') -> bytes:
    return f'{{"type": {event_type}, "id": "{event_id}", {extra}}}'.encode()


def deep(depth: int) -> str:
    return '"a": ' + "[" * (depth - 1) + "]" * (depth - 1)  # the object itself is level 1


JSON = "application/json"

#: name → (body, content type, how it is sent: httpx, or urllib writing it all first)
CASES: dict[str, tuple[bytes, str, str]] = {
    "valid (control)": (doc("ok"), JSON, "httpx"),
    "deep JSON, 1,000 levels": (doc("deep1000", deep(1000)), JSON, "httpx"),
    "deep JSON, 100,000 levels": (doc("deep1e5", deep(100_000)), JSON, "httpx"),
    "deep JSON, 129 levels": (doc("deep129", deep(129)), JSON, "httpx"),
    "deep JSON, 128 levels (the limit)": (doc("deep128", deep(128)), JSON, "httpx"),
    "deep JSON in a form payload": (
        urlencode({"payload": doc("form-deep", deep(1000)).decode()}).encode(),
        "application/x-www-form-urlencoded",
        "httpx",
    ),
    "NaN": (doc("nan", '"n": NaN'), JSON, "httpx"),
    "Infinity": (doc("inf", '"n": Infinity'), JSON, "httpx"),
    "-Infinity": (doc("-inf", '"n": -Infinity'), JSON, "httpx"),
    "1e999999": (doc("overflow", '"n": 1e999999'), JSON, "httpx"),
    "integer past 64 bits": (doc("bigint", '"n": 18446744073709551616'), JSON, "httpx"),
    "lone surrogate \\ud800": (doc("surrogate", '"s": "\\ud800"'), JSON, "httpx"),
    "surrogate pair (valid)": (doc("pair", '"s": "\\ud83d\\ude00"'), JSON, "httpx"),
    "escaped NUL in a value (valid)": (doc("nul-value", '"s": "a\\u0000b"'), JSON, "httpx"),
    "UTF-16 body": (doc("utf16").decode().encode("utf-16"), JSON, "httpx"),
    "UTF-8 with BOM": (b"\xef\xbb\xbf" + doc("bom"), JSON, "httpx"),
    "invalid UTF-8": (b'{"type": "t", "id": "badutf8", "s": "\xc3\x28"}', JSON, "httpx"),
    "malformed JSON": (b'{"type": "t", "id": "trunc", "n": ', JSON, "httpx"),
    "NUL in event type": (doc("nul-type", event_type='"a\\u0000b"'), JSON, "httpx"),
    "NUL in delivery id": (b'{"type": "t", "id": "nul\\u0000id"}', JSON, "httpx"),
    "event type 201 chars": (doc("long-type", event_type=json.dumps("t" * 201)), JSON, "httpx"),
    "delivery id 301 chars (a)": (doc("d" * 300 + "a"), JSON, "httpx"),
    "delivery id 301 chars (b)": (doc("d" * 300 + "b"), JSON, "httpx"),
    "delivery id 300 chars": (doc("d" * 300), JSON, "httpx"),
    "content type 217 chars": (doc("long-ct"), "application/" + "x" * 200 + "+json", "httpx"),
    "3 MB body, blocking client": (
        doc("big", '"blob": "' + "x" * (3 * 1024 * 1024) + '"'),
        JSON,
        "urllib",
    ),
}


@dataclass
class Outcome:
    status: int = 0
    error: str = ""
    event_id: str | None = None
    stored: str = "-"
    delivered: str = "-"
    view: str = "-"
    notes: list[str] = field(default_factory=list)


def blocking_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """Python's urllib: writes the whole body first, ``Connection: close``."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310  # http loopback
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()
    except OSError as error:  # ECONNRESET, broken pipe: the sender saw no answer at all
        return -1, str(error).encode()


async def setup(db_url: str) -> tuple[str, str, str]:
    """A custom source, a catch-all trigger and an admin API key: (path, secret, key)."""
    settings = load_settings(database_url=db_url, secret_key=SECRET_KEY)
    async with Runtime(settings) as runtime:
        actor = await default_actor(runtime)
        config = {
            "signature_header": "X-Signature",
            "algorithm": "sha256",
            "event_type_field": "type",
            "delivery_id_field": "id",
        }
        source = await create_source(
            runtime, actor, provider="custom", name="faults", config=config
        )
        await create_trigger(runtime, actor, source_id=source.id, agent_id="faults")
        key = await identity.create_key(runtime, Actor.operator(actor.workspace_id), actor.user_id)
    assert source.secret is not None
    assert source.url is not None
    assert key.key is not None
    return source.url, source.secret, key.key


async def send_all(base: str, path: str, secret: str) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for name, (body, content_type, how) in CASES.items():
            headers = {
                "Content-Type": content_type,
                "X-Signature": "sha256=" + hex_signature("sha256", secret, body),
            }
            if how == "urllib":
                status, raw = await asyncio.to_thread(blocking_post, base + path, body, headers)
            else:
                answer = await client.post(path, content=body, headers=headers)
                status, raw = answer.status_code, answer.content
            outcome = Outcome(status=status)
            try:
                document: Any = json.loads(raw)
            except ValueError:
                document = {"error": raw[:60].decode(errors="replace")}
            if isinstance(document, dict):
                outcome.error = str(document.get("error") or "")
                outcome.event_id = document.get("event_id")
            outcomes[name] = outcome
    return outcomes


async def follow_up(
    db_url: str, base: str, key: str, outcomes: dict[str, Outcome], receiver: SinkReceiver
) -> None:
    """Wait for dispatch and delivery, then read every stored event back."""
    accepted = {o.event_id for o in outcomes.values() if o.status == 202 and o.event_id}
    deadline = time.monotonic() + 30
    while not accepted <= set(receiver.arrived) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    settings = load_settings(database_url=db_url, secret_key=SECRET_KEY)
    async with Runtime(settings) as runtime, runtime.db.session() as session:
        rows = await session.execute(select(Event.id, Event.status))
        statuses: dict[str, str] = {row.id: row.status for row in rows}
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", headers=headers) as api:
        for outcome in outcomes.values():
            if outcome.event_id:
                outcome.stored = statuses.get(outcome.event_id, "MISSING")
                view = await api.get(f"/events/{outcome.event_id}")
                outcome.view = str(view.status_code)
            if outcome.status == 202:
                outcome.delivered = "yes" if outcome.event_id in receiver.arrived else "NO"
    outcomes["(events stored in all)"] = Outcome(stored=str(len(statuses)))


def report(outcomes: dict[str, Outcome]) -> int:
    print(f"{'case':36} {'answer':24} {'stored':10} {'to sink':8} {'view':5}")
    for name, o in outcomes.items():
        answer = f"{o.status} {o.error}".strip() if o.status else ""
        print(f"{name:36} {answer:24} {o.stored:10} {o.delivered:8} {o.view:5}")
    server_errors = [n for n, o in outcomes.items() if o.status >= 500 or o.view.startswith("5")]
    no_answer = [n for n, o in outcomes.items() if o.status < 0]
    undeliverable = [n for n, o in outcomes.items() if o.delivered == "NO"]
    print(
        f"\n5xx: {len(server_errors)}   no answer read: {len(no_answer)}   "
        f"202 then undeliverable: {len(undeliverable)}"
    )
    for name in server_errors + no_answer + undeliverable:
        print(f"  FAIL: {name}")
    return 1 if server_errors or no_answer or undeliverable else 0


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.database_url or f"sqlite:///{Path(tmp) / 'faults.db'}"
        path, secret, key = await setup(db_url)
        receiver = SinkReceiver()
        sink_url = await receiver.start()
        port = free_port()
        env = {
            "HOOKGATE_DATABASE_URL": db_url,
            "HOOKGATE_SECRET_KEY": SECRET_KEY,
            "HOOKGATE_MAX_BODY_BYTES": str(MAX_BODY),
            "HOOKGATE_SINK": "http",
            "HOOKGATE_SINK_URL": sink_url,
            "HOOKGATE_SINK_SECRET": SINK_SECRET,
        }
        server = start([HOOKGATE, "serve", "--port", str(port)], env)
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_ready(base)
            outcomes = await send_all(base, path, secret)
            await follow_up(db_url, base, key, outcomes, receiver)
        finally:
            stop(server)
            await receiver.stop()
    return report(outcomes)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
