"""The filter generator writes Zendesk filters from the Zendesk schemas (a fake LLM)."""

from __future__ import annotations

import pytest
from hookgate import Runtime
from hookgate.generation import generate_filter
from hookgate.services.common import default_actor

from tests.core.generation.fake_llm import MODEL, fake_llm, tool_call
from tests.support import settings_for

pytestmark = pytest.mark.anyio
URGENT_UNASSIGNED = (
    '(and (eq "type" "zen:event-type:ticket.created") '
    '(contains "detail.subject" "urgent") (not (exists "detail.assignee_id")))'
)


async def test_the_generator_knows_the_zendesk_schemas(sqlite_url: str) -> None:
    async with fake_llm(tool_call(URGENT_UNASSIGNED)) as fake:
        settings = settings_for(sqlite_url, llm_base_url=fake.base_url, llm_model=MODEL)
        async with Runtime(settings) as runtime:
            result = await generate_filter(
                runtime,
                await default_actor(runtime),
                description="a Zendesk ticket contains the word 'urgent' and has no assignee",
                provider="zendesk",
                event_type="zen:event-type:ticket.created",
            )
    assert (" ".join(result.filter.split()), result.schema_checked) == (URGENT_UNASSIGNED, True)
    prompt = fake.prompt()
    assert "detail.assignee_id" in prompt
    assert "The agent assigned, or null when nobody is." in prompt
