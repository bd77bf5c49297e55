"""The built-in filter generator: any OpenAI-compatible chat-completions API.

This module is a plugin registered by default (see
:data:`hookgate.plugins.DEFAULT_PLUGINS`). Its :func:`filter_generator` hook
offers :class:`OpenAICompatibleGenerator` when ``HOOKGATE_LLM_BASE_URL`` and
``HOOKGATE_LLM_MODEL`` are set, and ``None`` otherwise, so a plugin's own
generator (registered later, hence asked first) always wins.

It works with hosted APIs and local servers alike (vLLM, llama.cpp, Ollama):
the model is forced to call the function ``set_filter`` whose only argument
is the string ``filter``; a server without function calling may answer with
the JSON ``{"filter": "..."}`` as the message text instead. A 429 or 5xx
answer is retried with backoff, waiting what ``Retry-After`` asks.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from hookgate.config import Settings
from hookgate.generation.answers import EXCERPT, extract_filter
from hookgate.generation.errors import GenerationError, GeneratorTimeout
from hookgate.generation.prompt import TOOL_NAME, build_messages
from hookgate.httputil import is_retryable_status, parse_retry_after
from hookgate.markers import hookimpl
from hookgate.types import FilterGenerationRequest, FilterGenerator
from hookgate.version import USER_AGENT

__all__ = [
    "OpenAICompatibleGenerator",
    "configuration_problem",
    "filter_generator",
]

log = logging.getLogger("hookgate.generation")

_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": TOOL_NAME,
        "description": "Set the hookgate filter that selects the events the user described.",
        "parameters": {
            "type": "object",
            "properties": {
                "filter": {
                    "type": "string",
                    "description": 'One filter expression, e.g. (eq "action" "opened")',
                }
            },
            "required": ["filter"],
            "additionalProperties": False,
        },
    },
}
_FORCE_TOOL: dict[str, Any] = {"type": "function", "function": {"name": TOOL_NAME}}


@hookimpl(trylast=True)
def filter_generator(settings: Settings) -> FilterGenerator | None:
    """Offer the OpenAI-compatible generator when ``HOOKGATE_LLM_*`` configure one."""
    return OpenAICompatibleGenerator.from_settings(settings)


def configuration_problem(settings: Settings) -> str | None:
    """What keeps the built-in generator from working, with how to fix it; ``None`` if nothing."""
    unset = [
        name
        for name, value in (
            ("HOOKGATE_LLM_BASE_URL", settings.llm_base_url),
            ("HOOKGATE_LLM_MODEL", settings.llm_model),
        )
        if not value.strip()
    ]
    if unset:
        verb = "is" if len(unset) == 1 else "are"
        return (
            f"filter generation is not configured: {' and '.join(unset)} {verb} not set. "
            "Set HOOKGATE_LLM_BASE_URL to an OpenAI-compatible API (e.g. "
            "https://api.openai.com/v1, or http://localhost:11434/v1 for a local Ollama), "
            "HOOKGATE_LLM_MODEL to a model it serves, and HOOKGATE_LLM_API_KEY if it needs a "
            "key; or install a plugin that implements filter_generator. Filters written by "
            "hand always work: check them with `hookgate filter check`."
        )
    if _parsed_url(settings.llm_base_url) is None:
        return (
            "filter generation is not configured: HOOKGATE_LLM_BASE_URL is not an absolute "
            "http:// or https:// URL; set it to the API's base, e.g. https://api.openai.com/v1"
        )
    return None


def _parsed_url(text: str) -> httpx.URL | None:
    try:
        url = httpx.URL(text.strip())
    except (httpx.InvalidURL, TypeError):
        return None
    return url if url.scheme in ("http", "https") and url.host else None


class _Retryable(Exception):
    """A 429 or 5xx answer: worth another try after ``retry_after`` (or backoff)."""

    def __init__(self, status: int, reason: str, excerpt: str, retry_after: float | None):
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.excerpt = excerpt
        self.retry_after = retry_after


class _ToolsRefused(Exception):
    """The server rejected the request because of ``tools``: it has no function calling."""


class OpenAICompatibleGenerator:
    """Writes filters with a model behind ``POST {base_url}/chat/completions``.

    :param base_url: the API base, e.g. ``https://api.openai.com/v1``; a URL
        that already ends in ``/chat/completions`` is used as it is.
    :param model: the model name the server knows.
    :param api_key: sent as a bearer token when given; never logged or shown.
    :param timeout: seconds for each request (connect, send, answer).
    :param max_attempts: tries per answer when the server says 429 or 5xx.
    :param max_retry_after: longest ``Retry-After`` worth waiting for; beyond
        it the request fails at once, telling the caller when to come back.
    """

    name = "openai-compatible"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_attempts: int = 3,
        max_retry_after: float = 20.0,
    ) -> None:
        url = _parsed_url(base_url)
        if url is None:
            raise ValueError(f"not an absolute http(s) URL: {base_url!r}")
        path = url.path.rstrip("/")
        if not path.endswith("/chat/completions"):
            path += "/chat/completions"
        self.url = url.copy_with(path=path)
        self.model = model
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_retry_after = max_retry_after
        self._api_key = api_key or None
        # Shown in errors: no user info or query, which may carry credentials.
        port = f":{url.port}" if url.port is not None else ""
        self.where = f"{url.scheme}://{url.host}{port}{path}"

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICompatibleGenerator | None:
        """The generator ``HOOKGATE_LLM_*`` describe, or ``None`` when they are incomplete."""
        if configuration_problem(settings) is not None:
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            settings.llm_base_url,
            settings.llm_model.strip(),
            api_key=key,
            timeout=settings.llm_timeout,
        )

    def __repr__(self) -> str:
        return f"OpenAICompatibleGenerator({self.where!r}, model={self.model!r})"

    async def generate(self, request: FilterGenerationRequest) -> str:
        """Ask the model once; return the filter text it gave (unchecked).

        :raises UnusableAnswer: the answer holds no filter (core asks again).
        :raises GenerationError: the server can't be reached, refuses, or is too slow.
        """
        messages = build_messages(request)
        body = {"model": self.model, "messages": messages}
        headers = {"user-agent": USER_AGENT}
        if self._api_key:
            headers["authorization"] = f"Bearer {self._api_key}"
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout), headers=headers
        ) as client:
            try:
                completion = await self._complete(
                    client, {**body, "tools": [_TOOL], "tool_choice": _FORCE_TOOL}
                )
            except _ToolsRefused:
                # The prompt also asks for plain {"filter": ...} JSON: ask without tools.
                log.info("%s refused function calling; asking for plain JSON", self.where)
                completion = await self._complete(client, body, tools=False)
        return extract_filter(completion)

    async def _complete(
        self, client: httpx.AsyncClient, body: dict[str, Any], *, tools: bool = True
    ) -> Any:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=_wait,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._post(client, body, tools=tools)
        except _Retryable as exc:
            raise GenerationError(
                f"{self.where} answered {exc.status} {exc.reason} {self.max_attempts} times"
                f"{self._detail(exc.excerpt)}; the model server is overloaded or failing, "
                "try again later"
            ) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _post(self, client: httpx.AsyncClient, body: dict[str, Any], *, tools: bool) -> Any:
        try:
            response = await client.post(self.url, json=body)
        except httpx.TimeoutException as exc:
            raise GeneratorTimeout(
                f"{self.where} did not answer within {self.timeout:g} s (model {self.model}); "
                "raise HOOKGATE_LLM_TIMEOUT or use a faster model"
            ) from exc
        except httpx.TransportError as exc:
            raise GenerationError(
                f"cannot reach {self.where} ({type(exc).__name__}: {self._redact(str(exc))}); "
                "check HOOKGATE_LLM_BASE_URL and that the model server is running"
            ) from exc
        if response.is_success:
            return self._json(response)
        excerpt = self._redact(response.text[:EXCERPT].strip())
        if is_retryable_status(response.status_code):
            self._check_wait(response, excerpt)
        if tools and response.status_code in (400, 422) and "tool" in excerpt.lower():
            raise _ToolsRefused
        raise GenerationError(self._refusal(response, excerpt))

    def _check_wait(self, response: httpx.Response, excerpt: str) -> None:
        """Raise :class:`_Retryable`, unless the server asks for a wait too long to sit out."""
        wait = parse_retry_after(response.headers.get("retry-after"))
        if wait is not None and wait > self.max_retry_after:
            raise GenerationError(
                f"{self.where} answered {response.status_code} {response.reason_phrase} and "
                f"asks to wait {wait:g} s{self._detail(excerpt)}; try again later"
            )
        raise _Retryable(response.status_code, response.reason_phrase, excerpt, wait)

    def _refusal(self, response: httpx.Response, excerpt: str) -> str:
        status = response.status_code
        fix = {
            401: "check HOOKGATE_LLM_API_KEY",
            403: "check that HOOKGATE_LLM_API_KEY may use this model",
            404: (
                "check HOOKGATE_LLM_BASE_URL (the API base, often ending in /v1) and "
                f"that the server has the model {self.model!r} (HOOKGATE_LLM_MODEL)"
            ),
        }.get(status, f"check HOOKGATE_LLM_MODEL ({self.model!r}) and the server's logs")
        return f"{self.where} refused the request: {status} {response.reason_phrase}" + (
            f"{self._detail(excerpt)}; {fix}"
        )

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise GenerationError(
                f"{self.where} answered {response.status_code} but not with JSON; "
                "HOOKGATE_LLM_BASE_URL must point at an OpenAI-compatible API (often ending in /v1)"
            ) from None

    def _detail(self, excerpt: str) -> str:
        return f" ({excerpt})" if excerpt else ""

    def _redact(self, text: str) -> str:
        # A server may echo the key it rejected; it must not reach a log or a user.
        return text.replace(self._api_key, "***") if self._api_key else text


_BACKOFF = wait_exponential_jitter(multiplier=0.5, max=8.0, jitter=0.5)


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome is not None else None
    if isinstance(error, _Retryable) and error.retry_after is not None:
        return error.retry_after
    return _BACKOFF(state)
