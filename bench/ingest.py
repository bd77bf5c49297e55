"""Durable ingest throughput and latency, against a bare Starlette baseline, in one run.

    uv run python bench/ingest.py [--duration 10] [--connections 64] [--database-url URL]

1. Peak throughput: the same load generator (wrk when installed, else a Python
   closed-loop client) drives, one after the other, a bare Starlette endpoint
   doing only HMAC-SHA256 verification + JSON parse of a ~20 KB body
   (bench/baseline_app.py), and ``hookgate serve --no-worker`` with a custom
   source (every request a new delivery id, so every request is a durable
   insert). Each server is one uvicorn process. Prints req/s, p50, p99, ratio.
2. Latency at half of hookgate's peak rate: an open-loop (constant rate)
   client, p50/p99 for both servers at that same rate.
3. Event → sink latency at 100 events/s: ``hookgate serve`` (ingest + worker)
   delivering to an HTTP receiver in this process; p50/p99 from the moment a
   webhook is sent to the moment its run arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hookgate import Runtime  # noqa: E402
from hookgate.config import load_settings  # noqa: E402
from hookgate.services.common import default_actor  # noqa: E402
from hookgate.services.sources import create_source  # noqa: E402
from hookgate.services.triggers import create_trigger  # noqa: E402
from hookgate.signing import hex_signature  # noqa: E402
from hookgate.store.models import Event  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from bench.load import SinkReceiver, closed_loop, open_loop, percentile  # noqa: E402

HOOKGATE = str(Path(sys.executable).with_name("hookgate"))
SECRET_KEY = Fernet.generate_key().decode()
BODY = json.dumps(
    json.loads((ROOT / "tests/fixtures/github/pull_request.opened.json").read_text()),
    separators=(",", ":"),
).encode()

WRK_SCRIPT = """
local counter = 0
function setup(thread) thread:set("tid", tostring(math.random(1, 1000000000))) end
request = function()
  counter = counter + 1
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["X-Delivery-Id"] = tid .. "-" .. counter
  return wrk.format(nil, nil, h, nil)
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"seconds":%f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d,"errors":%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def make_source(db_url: str, *, trigger: bool, name: str = "bench") -> tuple[str, str]:
    """A custom source (and optionally a catch-all trigger); returns (path, secret)."""
    settings = load_settings(database_url=db_url, secret_key=SECRET_KEY)
    async with Runtime(settings) as runtime:
        actor = await default_actor(runtime)
        config = {
            "signature_header": "X-Signature",
            "algorithm": "sha256",
            "delivery_id_header": "X-Delivery-Id",
        }
        source = await create_source(runtime, actor, provider="custom", name=name, config=config)
        if trigger:
            await create_trigger(runtime, actor, source_id=source.id, agent_id="bench")
    assert source.secret is not None
    return source.url, source.secret


async def clear_events(db_url: str) -> None:
    settings = load_settings(database_url=db_url, secret_key=SECRET_KEY)
    async with Runtime(settings) as runtime, runtime.db.session() as session, session.begin():
        await session.execute(delete(Event))


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


async def wait_ready(base: str, path: str = "/healthz") -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(400):
            try:
                await client.get(base + path)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError(f"{base} did not start")


def headers(secret: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Signature": "sha256=" + hex_signature("sha256", secret, BODY),
    }


def run_wrk(url: str, hdrs: dict[str, str], duration: int, connections: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        body = json.dumps(BODY.decode())
        lines = ['wrk.method = "POST"', f"wrk.body = {body}"]
        lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in hdrs.items()]
        script.write("\n".join(lines) + WRK_SCRIPT)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    return result


async def peak(url: str, hdrs: dict[str, str], duration: int, connections: int) -> dict[str, Any]:
    if shutil.which("wrk"):
        return run_wrk(url, hdrs, duration, connections)
    return await closed_loop(url, BODY, hdrs, duration, connections)


async def measure_servers(
    args: argparse.Namespace, tmp: Path
) -> tuple[dict[str, dict[str, Any]], str]:
    database = args.database_url or f"sqlite:///{tmp / 'ingest.db'}"
    path, secret = await make_source(database, trigger=False)
    results: dict[str, dict[str, Any]] = {}
    servers = {
        "baseline": (
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.baseline_app:app",
                "--port",
                "{port}",
                "--log-level",
                "warning",
            ],
            {"BENCH_SECRET": secret},
        ),
        "hookgate": (
            [HOOKGATE, "serve", "--no-worker", "--port", "{port}"],
            {
                "HOOKGATE_DATABASE_URL": database,
                "HOOKGATE_SECRET_KEY": SECRET_KEY,
            },
        ),
    }
    for name, (command, env) in servers.items():
        port = free_port()
        process = start([c.format(port=port) for c in command], env)
        try:
            await wait_ready(f"http://127.0.0.1:{port}", "/healthz" if name == "hookgate" else "/")
            url = f"http://127.0.0.1:{port}{path}"
            await peak(url, headers(secret), 2, args.connections)  # warm up
            results[name] = await peak(url, headers(secret), args.duration, args.connections)
            results[name]["url"] = url
        finally:
            stop(process)
        # The latency run starts a fresh server with the same command.
        results[name]["command"] = (command, env)
    return results, secret


async def latency_at(
    rate: float, results: dict[str, dict[str, Any]], secret: str, duration: int
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, result in results.items():
        command, env = result["command"]
        port = free_port()
        process = start([c.format(port=port) for c in command], env)
        try:
            await wait_ready(f"http://127.0.0.1:{port}", "/healthz" if name == "hookgate" else "/")
            url = result["url"].rsplit("/hooks/", 1)[1]
            latencies = await open_loop(
                f"http://127.0.0.1:{port}/hooks/{url}", BODY, headers(secret), rate, duration
            )
        finally:
            stop(process)
        out[name] = {
            "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99),
            "sent": len(latencies),
        }
    return out


async def sink_latency(
    tmp: Path, rate: float, duration: int, database_url: str | None
) -> dict[str, float]:
    """Webhook sent → run received by the sink, with hookgate's in-process worker."""
    db = database_url or f"sqlite:///{tmp / 'sink.db'}"
    if database_url:  # the peak runs left thousands of events queued for this worker
        await clear_events(db)
    path, secret = await make_source(db, trigger=True, name="bench-sink")
    receiver = SinkReceiver()
    sink_url = await receiver.start()
    port = free_port()
    process = start(
        [HOOKGATE, "serve", "--port", str(port)],
        {
            "HOOKGATE_DATABASE_URL": db,
            "HOOKGATE_SECRET_KEY": SECRET_KEY,
            "HOOKGATE_SINK": "http",
            "HOOKGATE_SINK_URL": sink_url,
            "HOOKGATE_SINK_SECRET": "whsec_" + "QmVuY2hTaW5rU2VjcmV0IQ==",
        },
    )
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        sent = await open_loop(
            f"http://127.0.0.1:{port}{path}",
            BODY,
            headers(secret),
            rate,
            duration,
            record_sends=receiver.sent,
        )
        await receiver.wait_for(len(sent), timeout=30)
    finally:
        stop(process)
        await receiver.stop()
    lat = receiver.latencies()
    return {
        "p50_ms": percentile(lat, 50),
        "p99_ms": percentile(lat, 99),
        "runs": len(lat),
        "sent": len(receiver.sent),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--database-url",
        help="hookgate's database (default: a new SQLite file); e.g. an empty PostgreSQL database",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        results, secret = await measure_servers(args, tmp)
        base, hook = results["baseline"], results["hookgate"]
        print(
            f"body: {len(BODY)} bytes; load: {'wrk' if shutil.which('wrk') else 'python'}, "
            f"{args.connections} connections, {args.duration} s"
        )
        for name, r in results.items():
            print(
                f"{name:<9} {r['rps']:9.0f} req/s   p50 {r['p50_ms']:6.2f} ms   "
                f"p99 {r['p99_ms']:6.2f} ms   non-2xx {r['non2xx']}   errors {r['errors']}"
            )
        print(f"ratio     hookgate / baseline = {hook['rps'] / base['rps']:.2f}  (goal >= 0.70)")
        half = hook["rps"] / 2
        print(f"\nat half of hookgate's peak ({half:.0f} req/s, open loop, {args.duration} s):")
        lat = await latency_at(half, results, secret, args.duration)
        for name, r in lat.items():
            print(
                f"{name:<9} p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms  "
                f"(sent {r['sent']:.0f})  (goal for hookgate p99 <= 20 ms)"
            )
        sink = await sink_latency(tmp, 100, args.duration, args.database_url)
        print(
            f"\nevent -> sink at 100 events/s: p50 {sink['p50_ms']:.1f} ms   "
            f"p99 {sink['p99_ms']:.1f} ms   ({sink['runs']:.0f} of {sink['sent']:.0f} runs arrived)"
        )


if __name__ == "__main__":
    asyncio.run(main())
