"""The source cache: one load per expiry, however many deliveries are in flight."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from hookgate import Runtime
from hookgate.services.common import default_actor
from hookgate.services.sources import delete_source
from hookgate.source_cache import SourceCache, SourceRecord

from tests.support import custom_source, settings_for

pytestmark = pytest.mark.anyio


class GatedLoads:
    """Counts the cache's database loads and holds them until the gate opens."""

    def __init__(self, cache: SourceCache) -> None:
        self.calls = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = False
        self._load = cache.load
        cache.load = self  # type: ignore[method-assign]

    async def __call__(self, source_id: str) -> SourceRecord | None:
        self.calls += 1
        await self.gate.wait()
        if self.fail:
            raise ConnectionError("the database went away")
        return await self._load(source_id)


@pytest.fixture
async def runtime(sqlite_url: str) -> AsyncIterator[Runtime]:
    async with Runtime(settings_for(sqlite_url, providers="custom")) as rt:
        yield rt


async def a_source(runtime: Runtime) -> str:
    return (await custom_source(runtime, "c")).id


async def test_concurrent_misses_share_one_load(runtime: Runtime) -> None:
    source_id = await a_source(runtime)
    cache = SourceCache(runtime)
    loads = GatedLoads(cache)
    loads.gate.clear()
    waiting = [asyncio.ensure_future(cache.get(source_id)) for _ in range(50)]
    await asyncio.sleep(0.01)
    loads.gate.set()
    records = await asyncio.gather(*waiting)
    assert loads.calls == 1
    assert {id(r) for r in records} == {id(records[0])}
    assert records[0] is not None
    assert records[0].id == source_id


async def test_an_expired_entry_answers_at_once_while_one_load_refreshes_it(
    runtime: Runtime,
) -> None:
    source_id = await a_source(runtime)
    cache = SourceCache(runtime, ttl=0.05)
    loads = GatedLoads(cache)
    first = await cache.get(source_id)
    await asyncio.sleep(0.06)
    loads.gate.clear()
    during = await asyncio.wait_for(
        asyncio.gather(*(cache.get(source_id) for _ in range(20))), timeout=1
    )
    assert all(r is first for r in during)  # nobody waited for the database
    loads.gate.set()
    refresh = cache._loading.get(source_id)  # the background load the expiry started
    assert refresh is not None
    await refresh  # no fixed sleep: on a loaded machine the load may take longer
    refreshed = await cache.get(source_id)
    assert loads.calls == 2
    assert refreshed is not None
    assert refreshed is not first
    assert first is not None
    assert refreshed.loaded_at > first.loaded_at


async def test_a_load_that_began_before_a_change_is_not_kept(runtime: Runtime) -> None:
    source_id = await a_source(runtime)
    cache = SourceCache(runtime)
    loads = GatedLoads(cache)
    loads.gate.clear()
    early = asyncio.ensure_future(cache.get(source_id))
    await asyncio.sleep(0.01)
    cache.invalidate(source_id)  # e.g. a secret rotated while the load was running
    loads.gate.set()
    await early
    await cache.get(source_id)
    assert loads.calls == 2  # the change is read from the database, not the early load


async def test_a_deleted_source_disappears_at_the_next_refresh(runtime: Runtime) -> None:
    source_id = await a_source(runtime)
    cache = SourceCache(runtime, ttl=0.05)
    assert await cache.get(source_id) is not None
    await delete_source(runtime, await default_actor(runtime), source_id)
    await asyncio.sleep(0.06)
    await cache.get(source_id)  # answered from the entry; the refresh finds nothing
    await asyncio.sleep(0.05)
    assert await cache.get(source_id) is None


async def test_a_failed_refresh_keeps_the_entry_and_a_failed_first_load_raises(
    runtime: Runtime,
) -> None:
    source_id = await a_source(runtime)
    cache = SourceCache(runtime, ttl=0.05)
    loads = GatedLoads(cache)
    first = await cache.get(source_id)
    loads.fail = True
    await asyncio.sleep(0.06)
    assert await cache.get(source_id) is first
    await asyncio.sleep(0.01)
    assert await cache.get(source_id) is first
    cold = SourceCache(runtime)
    GatedLoads(cold).fail = True
    with pytest.raises(ConnectionError):
        await cold.get(source_id)


async def test_unknown_ids_are_cached_as_misses_and_malformed_ones_cost_no_read(
    runtime: Runtime,
) -> None:
    cache = runtime.sources
    loads = GatedLoads(cache)
    unknown = "src_" + "a" * 26
    for _ in range(20):
        assert await cache.get(unknown) is None
    assert loads.calls == 1  # one read per TTL for an id that does not exist
    for forged in ("nope", "src_../../x", "src_" + "A" * 26, "src_" + "a" * 300):
        assert await cache.get(forged) is None
    assert loads.calls == 1  # not even one for ids hookgate never makes
    # Creating a source drops a miss cached for its id (here: the one just made).
    made = await a_source(runtime)
    assert (await cache.get(made)) is not None
