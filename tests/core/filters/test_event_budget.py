"""The worker's per-event filter budget: one slow trigger fails alone (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from hookgate.filters import TriggerIndex, compile_filter
from hookgate.filters.budget import EventBudget
from hookgate.services import events as event_service
from hookgate.services import triggers as trigger_service

from tests.support import eventually, serving, settings_for

# `false == 0` to Python, so every item is compared one by one: ~0.1 s or more,
# far over a 20 ms budget. (The language says false != 0: the filter is false.)
SLOW = '(has "a" 0)'


def _payload(items: int = 1_500_000) -> dict[str, Any]:
    return {"a": [False] * items + [1], "kind": "x"}


def test_a_filter_over_the_budget_fails_and_light_ones_still_match() -> None:
    index = TriggerIndex()
    index.add("slow", SLOW)
    index.add("also-slow", '(has "a" 1)')
    for n in range(20):
        index.add(f"light{n}", '(eq "kind" "x")' if n % 2 else '(eq "kind" "y")')
    payload = _payload()
    index.match({})  # files the index, outside the timing
    budget = EventBudget(0.02)
    matched = index.match(payload, budget)
    assert matched == {f"light{n}" for n in range(1, 20, 2)}
    assert set(budget.failed) == {"slow", "also-slow"}
    reasons = sorted(budget.failed.values())
    assert any("over the per-event budget of 20 ms" in r for r in reasons)
    assert any("was spent" in r or "over the per-event budget" in r for r in reasons)


def test_without_a_budget_matching_is_unchanged() -> None:
    index = TriggerIndex()
    index.add("ones", '(has "a" 1)')
    index.add("kind", '(eq "kind" "x")')
    assert index.match(_payload(10)) == {"ones", "kind"}
    assert index.match(_payload(10), EventBudget(10)) == {"ones", "kind"}


def test_heavy_filters_are_the_ones_with_array_tests_or_wildcards() -> None:
    index = TriggerIndex()
    for text in ('(has "a" 1)', '(exists "b.*.c")', '(eq "k" 1)', '(gt "n" 2)'):
        index.add(text, compile_filter(text))
    heavy = {g.predicate: g.heavy for g in index._groups.values()}
    assert sorted(heavy.values()) == [False, False, True, True]


@pytest.mark.anyio
@pytest.mark.slow
async def test_the_worker_records_the_trigger_that_overran_on_the_event(sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url)) as served:
        source = await served.custom_source()
        slow = "(and " + " ".join([SLOW] * 20) + ")"  # 20 scans of a 250,000-item array
        for agent, text in (("slow", slow), ("light", '(eq "kind" "x")')):
            await trigger_service.create_trigger(
                served.runtime, served.actor, source_id=source.id, agent_id=agent, filter=text
            )
        payload = {"a": [False] * 250_000 + [0], "kind": "x"}  # under the 2 MB body cap
        answer = await served.send(source, payload)
        event_id = answer.json()["event_id"]

        async def dispatched() -> bool:
            view = await event_service.get_event(served.runtime, served.actor, event_id)
            return view.status != "pending" and view.status != "processing"

        await eventually(dispatched, timeout=60)
        view = await event_service.get_event(served.runtime, served.actor, event_id)
        assert view.status == "done"
        assert view.detail is not None
        assert "filters failed for 1 trigger(s)" in view.detail
        assert "over the per-event budget of 100 ms" in view.detail
        assert len(view.runs) == 1  # the light trigger ran
