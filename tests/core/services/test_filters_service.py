"""services.filters.dry_run: a filter on the last N stored events of a source and on samples.

Events arrive the real way (signed, over HTTP, into a running server) on
SQLite and on PostgreSQL; nothing is dispatched, so the dry run alone reads them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hookgate.services.common import Invalid, NotFound, ensure_user
from hookgate.services.filters import MAX_LAST, dry_run
from hookgate.services.sources import SourceView, create_source
from hookgate.store.models import Event, new_id, utcnow

from tests.support import Served, serving, settings_for

pytestmark = pytest.mark.anyio

OPENED = '(eq "action" "opened")'


@contextlib.asynccontextmanager
async def hookgate(database_url: str) -> AsyncIterator[Served]:
    async with serving(settings_for(database_url), worker=False) as served:
        yield served


async def typed_source(served: Served) -> SourceView:
    """A custom source that reads the event type from the X-Event header."""
    config = {
        "signature_header": "X-Signature",
        "algorithm": "sha256",
        "event_type_header": "X-Event",
    }
    return await create_source(
        served.runtime, served.actor, provider="custom", name="typed", config=config
    )


async def send_all(served: Served, source: SourceView, *payloads: Any, event: str = "") -> None:
    for payload in payloads:
        headers = {"X-Event": event} if event else {}
        assert (await served.send(source, payload, **headers)).status_code == 202


async def test_it_counts_matches_and_explains_the_newest_misses(database_url: str) -> None:
    async with hookgate(database_url) as served:
        source = await served.custom_source()
        actions = ["opened", "closed", "opened", "edited", "labeled", "closed"]
        await send_all(served, source, *({"action": a, "n": i} for i, a in enumerate(actions)))
        result = await dry_run(served.runtime, served.actor, source.id, OPENED)
        events = {e.id: e for e in await _events(served)}

    assert (result.checked, result.matched, result.unreadable) == (6, 2, 0)
    assert result.summary == "would have matched 2 of the 6 stored events"
    assert result.filter == OPENED
    # Newest first, like the event list.
    assert [events[i].body for i in result.matched_event_ids] == [
        b'{"action": "opened", "n": 2}',
        b'{"action": "opened", "n": 0}',
    ]
    assert [miss.reasons for miss in result.non_matches] == [
        ['line 1, column 1: "action" is "closed", expected "opened"'],
        ['line 1, column 1: "action" is "labeled", expected "opened"'],
        ['line 1, column 1: "action" is "edited", expected "opened"'],
    ]
    assert result.non_matches[0].event_type == "webhook"
    assert result.as_dict()["non_matches"][0]["received_at"].startswith("20")


async def test_only_the_last_n_events_of_the_event_type_count(database_url: str) -> None:
    async with hookgate(database_url) as served:
        source = await typed_source(served)
        # Distinct bodies: identical ones within the dedup window are one event.
        await send_all(served, source, {"action": "opened", "n": 1}, event="pull")
        pushes = [{"action": "opened", "n": 2}, {"action": "opened", "n": 3}]
        await send_all(served, source, *pushes, event="push")
        pulls = [{"action": "closed", "n": 4}, {"action": "opened", "n": 5}]
        await send_all(served, source, *pulls, event="pull")
        newest = await dry_run(
            served.runtime, served.actor, source.id, OPENED, event_type="pull", last=2
        )
        every = await dry_run(served.runtime, served.actor, source.id, OPENED, event_type="pull")

    assert (newest.checked, newest.matched) == (2, 1)
    assert newest.summary == "would have matched 1 of the last 2 pull events"
    assert (every.checked, every.matched) == (3, 2)
    assert every.summary == "would have matched 2 of the 3 stored pull events"


async def test_events_that_never_reach_triggers_are_left_out_and_bad_bodies_counted(
    database_url: str,
) -> None:
    async with hookgate(database_url) as served:
        source = await served.custom_source()
        await send_all(served, source, {"action": "opened"})
        async with served.runtime.db.session() as session, session.begin():
            for status, body in [("handshake", b"{}"), ("ignored", b"{}"), ("pending", b"[1,")]:
                session.add(
                    Event(
                        id=new_id("evt"),
                        source_id=source.id,
                        dedup_key=new_id("key"),
                        event_type="webhook",
                        body=body,
                        status=status,
                        received_at=utcnow(),
                    )
                )
        result = await dry_run(served.runtime, served.actor, source.id, OPENED)

    assert (result.checked, result.matched, result.unreadable) == (2, 1, 1)


async def test_a_source_without_events_says_there_is_nothing_to_try(sqlite_url: str) -> None:
    async with hookgate(sqlite_url) as served:
        source = await served.custom_source()
        result = await dry_run(served.runtime, served.actor, source.id, OPENED)
    assert (result.checked, result.samples) == (0, [])  # the custom provider has no samples
    assert result.summary == "the source has no stored events yet: nothing to try the filter on"


async def test_without_a_source_the_provider_samples_are_tried(sqlite_url: str) -> None:
    async with hookgate(sqlite_url) as served:
        one = await dry_run(
            served.runtime,
            served.actor,
            None,
            OPENED,
            provider="github",
            event_type="pull_request",
        )
        every = await dry_run(served.runtime, served.actor, None, OPENED, provider="github")

    [sample] = one.samples
    assert (sample.event_type, sample.matched, sample.reasons) == (
        "pull_request",
        True,
        ['line 1, column 1: "action" is "opened", as required: "opened"'],
    )
    assert one.summary == "matches 1 of 1 provider sample"
    assert len(every.samples) == len(served.runtime.plugins.schemas("github"))
    assert every.checked == 0


async def test_it_refuses_bad_filters_and_other_workspaces(sqlite_url: str) -> None:
    async with hookgate(sqlite_url) as served:
        source = await served.custom_source()
        runtime = served.runtime
        with pytest.raises(Invalid, match=r"invalid filter: .*\(line 1, column 11\)"):
            await dry_run(runtime, served.actor, source.id, "(eq action")
        with pytest.raises(Invalid, match=r"needs a source .* or a provider"):
            await dry_run(runtime, served.actor, None, OPENED)
        with pytest.raises(Invalid, match="unknown provider 'nope'"):
            await dry_run(runtime, served.actor, None, OPENED, provider="nope")
        async with runtime.db.session() as session, session.begin():
            stranger = await ensure_user(session, "elsewhere", "eve", "admin")
        with pytest.raises(NotFound, match=f"no source '{source.id}'"):
            await dry_run(runtime, stranger, source.id, OPENED)
        capped = await dry_run(runtime, served.actor, source.id, OPENED, last=10**9)
    assert capped.last == MAX_LAST


async def _events(served: Served) -> list[Event]:
    from sqlalchemy import select

    async with served.runtime.db.session() as session:
        return list(await session.scalars(select(Event)))
