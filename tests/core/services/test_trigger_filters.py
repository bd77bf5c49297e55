"""Saving a trigger checks its filter against the provider's event schema."""

from __future__ import annotations

import pytest
from hookgate import Runtime
from hookgate.services.common import Invalid, default_actor
from hookgate.services.sources import create_source
from hookgate.services.triggers import create_trigger, update_trigger

from tests.support import settings_for

pytestmark = pytest.mark.anyio


async def test_a_misspelt_field_is_refused_with_a_suggestion(sqlite_url: str) -> None:
    async with Runtime(settings_for(sqlite_url, providers="github")) as runtime:
        actor = await default_actor(runtime)
        source = await create_source(runtime, actor, provider="github", name="gh")
        with pytest.raises(Invalid, match=r"pull_request\.changed_files") as refused:
            await create_trigger(
                runtime,
                actor,
                source_id=source.id,
                agent_id="a",
                event_type="pull_request",
                filter='(gt "pull_request.changed_file" 20)',
            )
        (problem,) = refused.value.details["problems"]
        assert problem["suggestion"] == "pull_request.changed_files"
        assert (problem["line"], problem["column"]) == (1, 5)  # the path, after "(gt "


async def test_fields_the_schema_does_not_describe_are_allowed(sqlite_url: str) -> None:
    # GitHub adds fields over time; an undocumented field far from any known one is fine.
    async with Runtime(settings_for(sqlite_url, providers="github")) as runtime:
        actor = await default_actor(runtime)
        source = await create_source(runtime, actor, provider="github", name="gh")
        trigger = await create_trigger(
            runtime,
            actor,
            source_id=source.id,
            agent_id="a",
            event_type="pull_request",
            filter='(eq "pull_request.merge_queue_entry_zz" true)',
        )
        assert trigger.filter == '(eq "pull_request.merge_queue_entry_zz" true)'


async def test_type_mismatch_and_syntax_errors_carry_positions(sqlite_url: str) -> None:
    async with Runtime(settings_for(sqlite_url, providers="github")) as runtime:
        actor = await default_actor(runtime)
        source = await create_source(runtime, actor, provider="github", name="gh")
        with pytest.raises(Invalid, match="invalid filter") as syntax:
            await create_trigger(
                runtime,
                actor,
                source_id=source.id,
                agent_id="a",
                filter='(and (eq "action" "opened")',
            )
        assert syntax.value.details["line"] == 1
        trigger = await create_trigger(
            runtime, actor, source_id=source.id, agent_id="a", event_type="pull_request"
        )
        with pytest.raises(Invalid, match="does not fit"):
            await update_trigger(
                runtime, actor, trigger.id, filter='(starts-with "pull_request.changed_files" "1")'
            )
        with pytest.raises(Invalid, match="at least 1"):
            await update_trigger(runtime, actor, trigger.id, runs_per_day=0)
