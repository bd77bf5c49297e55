"""The filter generator writes Jira filters from the Jira schemas (a fake OpenAI-compatible LLM)."""

from __future__ import annotations

import pytest
from hookgate import Runtime
from hookgate.generation import generate_filter
from hookgate.services.common import default_actor

from tests.core.generation.fake_llm import MODEL, fake_llm, tool_call
from tests.support import settings_for

pytestmark = pytest.mark.anyio
URGENT = '(and (eq "webhookEvent" "jira:issue_created") (has-any "issue.fields.labels" ("urgent")))'


async def test_the_generator_knows_the_jira_schemas(sqlite_url: str) -> None:
    async with fake_llm(tool_call(URGENT)) as fake:
        settings = settings_for(sqlite_url, llm_base_url=fake.base_url, llm_model=MODEL)
        async with Runtime(settings) as runtime:
            result = await generate_filter(
                runtime,
                await default_actor(runtime),
                description="new issues labelled urgent",
                provider="jira",
                event_type="jira:issue_created",
            )
    assert (" ".join(result.filter.split()), result.schema_checked) == (URGENT, True)
    prompt = fake.prompt()
    assert "issue.fields.labels" in prompt
    assert "issue.fields.priority.name" in prompt
