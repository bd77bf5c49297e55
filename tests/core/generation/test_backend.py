"""The OpenAI-compatible backend over real HTTP: tool calls, plain JSON, retries, timeouts."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from hookgate import hookimpl
from hookgate.config import Settings
from hookgate.generation.answers import extract_filter
from hookgate.generation.backend import (
    OpenAICompatibleGenerator,
    configuration_problem,
    filter_generator,
)
from hookgate.generation.errors import GenerationError, GeneratorTimeout, UnusableAnswer
from hookgate.generation.prompt import GRAMMAR
from hookgate.plugins import PluginManager
from hookgate.types import FilterGenerationRequest

from tests.core.generation.fake_llm import (
    MODEL,
    Reply,
    completion,
    content,
    error,
    fake_llm,
    tool_arguments,
    tool_call,
)

pytestmark = pytest.mark.anyio

API_KEY = "sk-test-0123456789abcdef"
REQUEST = FilterGenerationRequest("opened", "github", "pull_request", None, None, GRAMMAR)


def generator(base_url: str, **options: Any) -> OpenAICompatibleGenerator:
    return OpenAICompatibleGenerator(base_url, MODEL, api_key=API_KEY, **options)


# -- configuration --------------------------------------------------------------------


def test_without_configuration_the_hook_offers_nothing_and_says_how_to_configure() -> None:
    settings = Settings()
    assert filter_generator(settings) is None
    problem = configuration_problem(settings)
    assert problem is not None
    assert "HOOKGATE_LLM_BASE_URL and HOOKGATE_LLM_MODEL are not set" in problem
    assert "https://api.openai.com/v1" in problem
    assert "hookgate filter check" in problem


def test_a_bad_url_is_a_configuration_problem() -> None:
    problem = configuration_problem(Settings(llm_base_url="localhost:8080", llm_model="m"))
    assert problem is not None
    assert "not an absolute http:// or https:// URL" in problem


def test_the_hook_reads_the_settings_it_is_given() -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1/", llm_model="m", llm_api_key=API_KEY)
    found = filter_generator(settings)
    assert isinstance(found, OpenAICompatibleGenerator)
    assert str(found.url) == "http://127.0.0.1:9/v1/chat/completions"
    assert API_KEY not in repr(found)


def test_the_built_in_generator_is_asked_last() -> None:
    class Mine:
        name = "mine"

        async def generate(self, request: FilterGenerationRequest) -> str:
            return "(exists a)"

    class Plugin:
        @hookimpl
        def filter_generator(self) -> Mine:
            return Mine()

    plugins = PluginManager(entry_points=False)
    plugins.register(Plugin(), name="mine")
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    assert plugins.filter_generator(settings).name == "mine"  # type: ignore[union-attr]


# -- reading answers --------------------------------------------------------------------


def body(reply: Reply) -> Any:
    return reply.body


def test_answers_are_read_from_the_tool_call_or_from_json_text() -> None:
    assert extract_filter(body(tool_call('(eq "action" "opened")'))) == '(eq "action" "opened")'
    assert extract_filter(body(content('{"filter": "(exists a)"}'))) == "(exists a)"
    assert extract_filter(body(content('```json\n{"filter": "(exists a)"}\n```'))) == "(exists a)"
    assert extract_filter(body(content("(exists a)"))) == "(exists a)"
    ollama_style = completion(  # arguments as an object, not a string
        {
            "tool_calls": [
                {"function": {"name": "set_filter", "arguments": {"filter": "(exists a)"}}}
            ]
        }
    )
    assert extract_filter(ollama_style) == "(exists a)"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (tool_arguments('{"filter": "(eq a 1)'), "the set_filter arguments are not valid JSON"),
        (tool_arguments('{"expression": "(eq a 1)"}'), 'needs one argument, "filter"'),
        (tool_arguments('{"filter": "(exists a)"}', name="other"), "called other instead"),
        (content("Sure! Here is your filter."), "nor was a JSON object"),
        (content(""), "nor held any text"),
    ],
)
def test_unusable_answers_say_what_is_wrong(reply: Reply, message: str) -> None:
    with pytest.raises(UnusableAnswer, match=message):
        extract_filter(reply.body)


def test_a_document_that_is_no_chat_completion_is_an_error() -> None:
    with pytest.raises(GenerationError, match=r"no choices\[0\]\.message"):
        extract_filter({"object": "list", "data": []})


# -- over HTTP --------------------------------------------------------------------------


async def test_a_forced_tool_call_with_the_key_as_bearer() -> None:
    async with fake_llm(tool_call('(eq "action" "opened")')) as fake:
        assert await generator(fake.base_url).generate(REQUEST) == '(eq "action" "opened")'
    [sent] = fake.requests
    assert sent["model"] == MODEL
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "set_filter"}}
    [tool] = sent["tools"]
    assert tool["function"]["parameters"]["required"] == ["filter"]
    assert list(tool["function"]["parameters"]["properties"]) == ["filter"]
    assert fake.headers[0]["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in json.dumps(sent)


async def test_a_server_that_refuses_tools_is_asked_for_plain_json() -> None:
    refused = error(400, "this model does not support tools")
    async with fake_llm(refused, content('{"filter": "(exists a)"}')) as fake:
        assert await generator(fake.base_url).generate(REQUEST) == "(exists a)"
    assert "tools" in fake.requests[0]
    assert "tools" not in fake.requests[1]


@pytest.mark.slow
async def test_429_is_retried_after_the_wait_retry_after_asks() -> None:
    busy = error(429, "slow down", **{"Retry-After": "1"})
    async with fake_llm(busy, tool_call("(exists a)")) as fake:
        assert await generator(fake.base_url).generate(REQUEST) == "(exists a)"
    assert len(fake.requests) == 2
    assert fake.times[1] - fake.times[0] >= 0.95


async def test_5xx_every_time_fails_clearly_after_the_attempts() -> None:
    async with fake_llm(error(503, "overloaded", **{"Retry-After": "0"})) as fake:
        with pytest.raises(GenerationError, match="answered 503 Service Unavailable 3 times"):
            await generator(fake.base_url).generate(REQUEST)
    assert len(fake.requests) == 3


async def test_a_retry_after_too_long_to_wait_fails_at_once() -> None:
    async with fake_llm(error(429, "quota", **{"Retry-After": "3600"})) as fake:
        with pytest.raises(GenerationError, match="asks to wait 3600 s"):
            await generator(fake.base_url).generate(REQUEST)
    assert len(fake.requests) == 1


async def test_a_rejected_key_is_named_but_never_shown() -> None:
    echoed = error(401, f"Incorrect API key provided: {API_KEY}")
    async with fake_llm(echoed) as fake:
        with pytest.raises(GenerationError) as caught:
            await generator(fake.base_url).generate(REQUEST)
    assert "check HOOKGATE_LLM_API_KEY" in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert len(fake.requests) == 1  # a 401 is not retried


async def test_a_model_that_does_not_answer_in_time_is_a_timeout() -> None:
    async with fake_llm(Reply(body=completion({"content": "late"}), delay=10)) as fake:
        started = time.monotonic()
        with pytest.raises(GeneratorTimeout, match=r"did not answer within 0\.3 s") as caught:
            await generator(fake.base_url, timeout=0.3).generate(REQUEST)
        assert time.monotonic() - started < 3
    assert "HOOKGATE_LLM_TIMEOUT" in str(caught.value)
    assert len(fake.requests) == 1  # a timeout is not retried: it would only double the wait


async def test_an_unreachable_server_says_where_and_what_to_check() -> None:
    with pytest.raises(
        GenerationError, match=re.escape("cannot reach http://127.0.0.1:9/v1")
    ) as caught:
        await generator("http://127.0.0.1:9/v1").generate(REQUEST)
    assert "HOOKGATE_LLM_BASE_URL" in str(caught.value)
