"""The ingest path on a real server: status codes, durability, idempotency, bad input."""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import urlencode

import httpx
import pytest
from hookgate.services.events import list_events
from hookgate.store.models import Event, Source
from sqlalchemy import func, select, text

from tests.support import Served, serving, settings_for

pytestmark = pytest.mark.anyio


async def count_events(served: Served) -> int:
    async with served.runtime.db.session() as session:
        return int(await session.scalar(select(func.count(Event.id))) or 0)


async def test_signed_event_is_stored_before_the_answer(database_url: str) -> None:
    async with serving(settings_for(database_url), worker=False) as served:
        source = await served.custom_source()
        answer = await served.send(source, {"action": "opened"}, **{"X-Delivery": "d1"})
        assert answer.status_code == 202
        event_id = answer.json()["event_id"]
        async with served.runtime.db.session() as session:
            stored = await session.get(Event, event_id)
        assert stored is not None
        assert json.loads(stored.body) == {"action": "opened"}
        assert stored.status == "pending"


async def test_redelivery_of_the_same_body_is_one_event(database_url: str) -> None:
    async with serving(settings_for(database_url), worker=False) as served:
        source = await served.custom_source()
        first = await served.send(source, {"n": 1})
        again = await served.send(source, {"n": 1})
        other = await served.send(source, {"n": 2})
        assert first.status_code == 202
        assert again.status_code == 200
        assert again.json() == {"event_id": first.json()["event_id"], "duplicate": True}
        assert other.status_code == 202
        assert await count_events(served) == 2


async def test_concurrent_redeliveries_make_one_event(database_url: str) -> None:
    async with serving(settings_for(database_url), worker=False) as served:
        source = await served.custom_source()
        answers = await asyncio.gather(*(served.send(source, {"same": True}) for _ in range(20)))
        assert sorted(a.status_code for a in answers) == [200] * 19 + [202]
        assert len({a.json()["event_id"] for a in answers}) == 1
        assert await count_events(served) == 1


async def test_concurrent_distinct_events_are_all_stored(database_url: str) -> None:
    async with serving(settings_for(database_url), worker=False) as served:
        source = await served.custom_source()
        answers = await asyncio.gather(*(served.send(source, {"i": i}) for i in range(100)))
        assert all(a.status_code == 202 for a in answers)
        assert await count_events(served) == 100


async def test_form_encoded_payload_is_accepted(sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url), worker=False) as served:
        source = await served.custom_source()
        body = urlencode({"payload": json.dumps({"action": "closed"})}).encode()
        headers = await served.signed_headers(source.id, body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = await served.client.post(source.url, content=body, headers=headers)
        assert answer.status_code == 202


async def test_bad_input_gets_its_status_and_changes_nothing(database_url: str) -> None:
    settings = settings_for(database_url, max_body_bytes=1024)
    async with serving(settings, worker=False) as served:
        source = await served.custom_source()
        client = served.client
        unknown = source.url.replace(source.id, "src_doesnotexist")
        wrong_secret = source.url.rsplit("/", 1)[0] + "/not-the-secret"
        big = json.dumps({"blob": "x" * 2000}).encode()
        big_headers = await served.signed_headers(source.id, big)
        text_headers = await served.signed_headers(source.id, b"hello")
        text_headers["Content-Type"] = "text/plain"

        assert (await client.post(unknown, json={})).status_code == 404
        assert (await client.post(wrong_secret, json={})).status_code == 401
        bad_sig = await client.post(source.url, json={"a": 1}, headers={"X-Signature": "sha256=00"})
        assert bad_sig.status_code == 401
        assert bad_sig.headers["X-Hookgate-Reason"]
        unsigned = await client.post(source.url, json={"a": 1})
        assert unsigned.status_code == 401
        assert "X-Signature" in unsigned.headers["X-Hookgate-Reason"]
        assert (await client.post(source.url, content=big, headers=big_headers)).status_code == 413
        media = await client.post(source.url, content=b"hello", headers=text_headers)
        assert media.status_code == 415
        assert await count_events(served) == 0

        malformed = b'{"unterminated": '
        headers = await served.signed_headers(source.id, malformed)
        answer = await client.post(source.url, content=malformed, headers=headers)
        assert answer.status_code == 400
        assert answer.json()["error"] == "malformed"
        (event,) = await list_events(served.runtime, served.actor)
        assert event.status == "malformed"

        metrics = (await client.get("/metrics")).text
        for reason in ("unknown_source", "bad_url_secret", "bad_signature", "too_large"):
            assert f'hookgate_events_rejected_total{{reason="{reason}"}}' in metrics


async def test_streamed_body_over_the_cap_is_refused(sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url, max_body_bytes=1000), worker=False) as served:
        source = await served.custom_source()

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(10):
                yield b"x" * 500  # no Content-Length: the cap applies while reading

        answer = await served.client.post(source.url, content=chunks())
        assert answer.status_code == 413


async def test_first_authenticated_delivery_marks_the_source_verified(sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url), worker=False) as served:
        source = await served.custom_source()
        assert source.verified_at is None
        await served.send(source, {"hello": "world"})
        async with served.runtime.db.session() as session:
            row = await session.get(Source, source.id)
        assert row is not None
        assert row.verified_at is not None


async def test_sources_are_isolated_by_their_own_secrets(sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url), worker=False) as served:
        one = await served.custom_source("one")
        two = await served.custom_source("two")
        body = b'{"x": 1}'
        headers = await served.signed_headers(one.id, body)
        answer = await served.client.post(two.url, content=body, headers=headers)
        assert answer.status_code == 401


async def test_deliveries_log_their_request_line_at_debug(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hookgate.request")
    async with serving(settings_for(sqlite_url), worker=False) as served:
        source = await served.custom_source()
        quiet = await served.send(source, {"n": 1})
        assert [r for r in caplog.records if r.name == "hookgate.request"] == []
        caplog.set_level(logging.DEBUG, logger="hookgate.request")
        logged = await served.send(source, {"n": 2})
    lines = [r for r in caplog.records if r.name == "hookgate.request"]
    assert [r.levelno for r in lines] == [logging.DEBUG]
    assert lines[0].getMessage() == f"POST /hooks/{source.id}/*** 202"
    assert (quiet.status_code, logged.status_code) == (202, 202)
    assert len(logged.headers["x-request-id"]) == 32


FAIL_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER hookgate_test_fail BEFORE INSERT ON events "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION hookgate_test_fail() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER hookgate_test_fail BEFORE INSERT ON events "
        "FOR EACH ROW EXECUTE FUNCTION hookgate_test_fail()",
    ],
}


async def test_a_store_that_fails_is_answered_503_and_the_retry_is_stored(
    database_url: str,
) -> None:
    async with serving(settings_for(database_url), worker=False) as served:
        source = await served.custom_source()
        dialect = "sqlite" if served.runtime.db.is_sqlite else "postgresql"
        async with served.runtime.db.engine.begin() as conn:
            for statement in FAIL_INSERTS[dialect]:
                await conn.execute(text(statement))
        failed = await asyncio.gather(
            *(served.send(source, {"n": n}, **{"X-Delivery": f"d{n}"}) for n in range(5))
        )
        assert [a.status_code for a in failed] == [503] * 5
        assert {a.json()["error"] for a in failed} == {"store_unavailable"}
        assert await count_events(served) == 0
        async with served.runtime.db.engine.begin() as conn:
            await conn.execute(
                text(
                    "DROP TRIGGER hookgate_test_fail"
                    + ("" if dialect == "sqlite" else " ON events")
                )
            )
        retried = await served.send(source, {"n": 0}, **{"X-Delivery": "d0"})
        assert retried.status_code == 202
        assert await count_events(served) == 1


async def test_a_sender_that_hangs_up_mid_body_leaves_nothing_behind(sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url), worker=False) as served:
        source = await served.custom_source()
        url = httpx.URL(served.base_url + source.url)
        _, writer = await asyncio.open_connection(url.host, url.port)
        writer.write(
            f"POST {url.raw_path.decode()} HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n".encode()
            + b'{"partial": "'
            + b"x" * 100
        )
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.2)
        assert await count_events(served) == 0
        answer = await served.send(source, {"after": True})
        assert answer.status_code == 202  # the server is unharmed
