"""generate_filter end to end against a fake OpenAI-compatible server: check, repair, dry run."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hookgate import EventSchema, Runtime
from hookgate.filters import check_filter, compile_filter
from hookgate.generation import (
    GenerationError,
    GeneratorNotConfigured,
    GeneratorTimeout,
    NoValidFilter,
    generate_filter,
)
from hookgate.services.common import Actor, Invalid, NotFound, default_actor

from tests.core.generation.fake_llm import (
    MODEL,
    FakeLLM,
    Reply,
    completion,
    fake_llm,
    tool_arguments,
    tool_call,
)
from tests.support import serving, settings_for

pytestmark = pytest.mark.anyio

API_KEY = "sk-test-0123456789abcdef"
WANTED = '(and (eq "action" "opened") (gt "pull_request.changed_files" 20))'
PR = {"provider": "github", "event_type": "pull_request"}
DESCRIPTION = "pull requests opened with more than 20 changed files"


@contextlib.asynccontextmanager
async def runtime_with(
    fake: FakeLLM | None, url: str, **overrides: Any
) -> AsyncIterator[tuple[Runtime, Actor]]:
    if fake is not None:
        overrides = {"llm_base_url": fake.base_url, "llm_model": MODEL, **overrides}
    async with Runtime(settings_for(url, llm_api_key=API_KEY, **overrides)) as runtime:
        yield runtime, await default_actor(runtime)


async def generate(fake: FakeLLM, url: str, **options: Any) -> Any:
    async with runtime_with(fake, url) as (runtime, actor):
        return await generate_filter(runtime, actor, description=DESCRIPTION, **{**PR, **options})


async def test_a_correct_answer_is_checked_canonical_and_dry_run_on_the_sample(
    sqlite_url: str,
) -> None:
    async with fake_llm(tool_call(WANTED.replace(" (gt", "\n  (gt"))) as fake:
        result = await generate(fake, sqlite_url)
    assert result.filter == WANTED
    assert (result.attempts, result.problems, result.schema_checked) == (1, [], True)
    assert result.generator == "openai-compatible"
    [sample] = result.dry_run.samples
    assert (sample.event_type, sample.matched) == ("pull_request", False)  # 1 changed file
    assert sample.reasons == ['line 1, column 29: "pull_request.changed_files" is 1, expected > 20']
    assert result.dry_run.summary == "matches 0 of 1 provider sample"
    assert json.loads(json.dumps(result.as_dict()))["dry_run"]["samples"][0]["matched"] is False


async def test_the_prompt_holds_the_schema_facts_the_sample_and_no_secret(sqlite_url: str) -> None:
    async with fake_llm(tool_call(WANTED)) as fake:
        await generate(fake, sqlite_url)
    prompt = fake.prompt()
    assert "pull_request.changed_files: integer — Number of files changed." in prompt
    assert "pull_request.labels.*.name: string" in prompt
    assert '"changed_files":1' in prompt  # from the provider's sample
    assert DESCRIPTION in prompt
    assert "(gt FIELD N)" in prompt  # the grammar
    assert API_KEY not in json.dumps(fake.requests)


async def test_an_invalid_filter_is_repaired_with_the_exact_error(sqlite_url: str) -> None:
    wrong = '(gt "pull_request.title" 20)'
    [problem] = check_filter(wrong, _pr_schema())
    async with fake_llm(tool_call(wrong), tool_call(WANTED)) as fake:
        result = await generate(fake, sqlite_url)
    assert result.filter == WANTED
    assert result.attempts == 2
    assert result.problems == [str(problem)]
    repair = fake.last_message(1)
    assert str(problem) in repair
    assert wrong in repair
    assert "set_filter" in repair


async def test_a_syntax_error_is_repaired_with_the_parser_message(sqlite_url: str) -> None:
    broken = '(and (eq "action" "opened")'
    with pytest.raises(ValueError, match=r"unexpected end of the filter") as caught:
        compile_filter(broken)
    async with fake_llm(tool_call(broken), tool_call(WANTED)) as fake:
        result = await generate(fake, sqlite_url)
    assert result.attempts == 2
    assert result.problems == [str(caught.value)]
    assert str(caught.value) in fake.last_message(1)


async def test_malformed_tool_call_json_is_asked_again(sqlite_url: str) -> None:
    async with fake_llm(tool_arguments('{"filter": "(eq \\"action'), tool_call(WANTED)) as fake:
        result = await generate(fake, sqlite_url)
    assert result.filter == WANTED
    assert "the set_filter arguments are not valid JSON" in result.problems[0]
    assert "not valid JSON" in fake.last_message(1)


async def test_always_invalid_fails_clearly_with_the_last_problem(sqlite_url: str) -> None:
    wrong = '(gt "pull_request.title" 20)'
    [problem] = check_filter(wrong, _pr_schema())
    async with fake_llm(tool_call(wrong)) as fake:
        with pytest.raises(NoValidFilter) as caught:
            await generate(fake, sqlite_url)
    assert len(fake.requests) == 3  # the first answer and two repairs
    error = caught.value
    assert (error.status, error.code) == (422, "no_valid_filter")
    assert error.problems == [str(problem)] * 3
    assert error.details == {"problems": error.problems, "last_answer": wrong}
    assert error.last_answer == wrong
    assert f"no valid filter after 3 attempt(s); the last problem: {problem}" in str(error)
    assert "hookgate filter check" in str(error)


async def test_a_likely_typo_is_repaired_but_finally_accepted_with_a_warning(
    sqlite_url: str,
) -> None:
    typo = '(gt "pull_request.changed_file" 20)'
    async with fake_llm(tool_call(typo)) as fake:
        result = await generate(fake, sqlite_url)
    # The schema is open, so the field may exist: after the repairs it is taken, flagged.
    assert result.attempts == 3
    assert result.filter == typo
    assert 'did you mean "pull_request.changed_files"?' in result.warnings[0]
    assert 'did you mean "pull_request.changed_files"?' in fake.last_message(1)


async def test_without_configuration_generation_says_how_to_configure(sqlite_url: str) -> None:
    async with runtime_with(None, sqlite_url) as (runtime, actor):
        with pytest.raises(GeneratorNotConfigured) as caught:
            await generate_filter(runtime, actor, description=DESCRIPTION, **PR)
    assert (caught.value.status, caught.value.code) == (503, "generation_not_configured")
    assert "HOOKGATE_LLM_BASE_URL and HOOKGATE_LLM_MODEL are not set" in str(caught.value)


async def test_a_timeout_is_a_clear_error(sqlite_url: str) -> None:
    late = Reply(body=completion({"content": "late"}), delay=10)
    async with (
        fake_llm(late) as fake,
        runtime_with(fake, sqlite_url, llm_timeout=0.3) as (
            runtime,
            actor,
        ),
    ):
        with pytest.raises(GeneratorTimeout, match="HOOKGATE_LLM_TIMEOUT") as caught:
            await generate_filter(runtime, actor, description=DESCRIPTION, **PR)
    assert (caught.value.status, caught.value.code) == (504, "generation_timeout")


async def test_a_plugin_generator_that_crashes_is_reported_by_name(sqlite_url: str) -> None:
    from hookgate import hookimpl

    class Broken:
        name = "broken"

        async def generate(self, request: object) -> str:
            raise RuntimeError("boom")

    class Plugin:
        @hookimpl
        def filter_generator(self) -> Broken:
            return Broken()

    async with runtime_with(None, sqlite_url) as (runtime, actor):
        runtime.plugins.register(Plugin(), name="broken")
        with pytest.raises(GenerationError, match="'broken' failed: RuntimeError: boom"):
            await generate_filter(runtime, actor, description=DESCRIPTION, **PR)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"description": "  "}, Invalid, "describe the events"),
        ({"description": "x" * 2001}, Invalid, "keep it under 2000"),
        ({"provider": "nope"}, Invalid, "unknown provider 'nope'"),
        ({"event_type": None}, Invalid, "choose the github event type"),
        ({"event_type": "pull"}, Invalid, "unknown event type 'pull' for github"),
        ({"source_id": "src_missing"}, NotFound, "no source 'src_missing'"),
    ],
)
async def test_bad_requests_are_refused_before_asking_the_model(
    sqlite_url: str, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {"description": DESCRIPTION, **PR, **options}
    async with fake_llm(tool_call(WANTED)) as fake, runtime_with(fake, sqlite_url) as (rt, actor):
        with pytest.raises(error, match=message):
            await generate_filter(rt, actor, **arguments)
    assert fake.requests == []


# -- a custom source with a schema, and its stored events -------------------------------

ORDER = EventSchema(
    event_type="webhook",
    description="An order event.",
    schema={
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["order.paid", "order.refunded"]},
            "amount": {"type": "integer", "description": "Cents."},
            "customer": {"type": "object", "properties": {"email": {"type": "string"}}},
        },
    },
    sample={"kind": "order.paid", "amount": 1200, "customer": {"email": "sample@example.test"}},
)
BIG_PAID = '(and (eq "kind" "order.paid") (gt "amount" 10000))'


async def test_a_custom_source_with_a_schema_dry_runs_on_its_stored_events(
    sqlite_url: str,
) -> None:
    async with fake_llm(tool_call(BIG_PAID)) as fake:
        settings = settings_for(sqlite_url, llm_base_url=fake.base_url, llm_model=MODEL)
        async with serving(settings, worker=False) as served:
            source = await served.custom_source()
            for amount in (50_000, 20_000, 500):
                stored = {"kind": "order.paid", "amount": amount}
                stored["customer"] = {"email": f"private-{amount}@example.test"}
                assert (await served.send(source, stored)).status_code == 202
            result = await generate_filter(
                served.runtime,
                served.actor,
                description="paid orders over 100 dollars",
                source_id=source.id,
                schema=ORDER,
            )
    assert result.provider == "custom"
    assert result.filter == BIG_PAID
    run = result.dry_run
    assert (run.checked, run.matched, run.summary) == (
        3,
        2,
        "would have matched 2 of the 3 stored events",
    )
    assert [miss.reasons for miss in run.non_matches] == [
        ['line 1, column 31: "amount" is 500, expected > 10000']
    ]
    prompt = fake.prompt()
    assert 'kind: string (one of "order.paid", "order.refunded")' in prompt
    assert "sample@example.test" in prompt
    # Stored payloads and secrets stay home: only the schema's sample goes to the model.
    assert "private-" not in prompt
    assert source.secret is not None
    assert source.secret not in json.dumps(fake.requests)


def _pr_schema() -> dict[str, Any]:
    from hookgate.plugins import PluginManager

    return dict(PluginManager().schemas("github")["pull_request"].json_schema)
