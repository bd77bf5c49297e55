"""Reading a model's answer: the filter text in a chat completion.

The forced ``set_filter`` call is the normal case. Servers differ in the
details (``arguments`` as a JSON string or as an object, the pre-tools
``function_call``, content as parts) and some have no function calling at
all, answering ``{"filter": "..."}`` or the bare expression as text; all of
these are accepted. Whatever comes out is only text: core checks it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hookgate.generation.errors import GenerationError, UnusableAnswer
from hookgate.generation.prompt import TOOL_NAME

__all__ = ["EXCERPT", "extract_filter"]

#: How much of a server's answer goes into an error message.
EXCERPT = 200
_FENCE = re.compile(r"^```[\w-]*\s*\n?(.*?)\n?```$", re.DOTALL)


def extract_filter(completion: Any) -> str:
    """The filter text in a chat completion: a ``set_filter`` call, or ``{"filter": ...}`` text.

    :raises UnusableAnswer: the model answered, but not with a filter.
    :raises GenerationError: the document is not a chat completion at all.
    """
    message = _message(completion)
    calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict)]
    if isinstance(message.get("function_call"), dict):  # the pre-tools form
        calls.append({"function": message["function_call"]})
    functions = [c.get("function") for c in calls]
    for function in functions:
        if isinstance(function, dict) and function.get("name") == TOOL_NAME:
            return _from_arguments(function.get("arguments"))
    if functions:
        names = ", ".join(str(f.get("name")) for f in functions if isinstance(f, dict))
        raise UnusableAnswer(f"the answer called {names or 'a function'} instead of {TOOL_NAME}")
    return _from_content(_text(message.get("content")))


def _message(completion: Any) -> dict[str, Any]:
    choices = completion.get("choices") if isinstance(completion, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    if isinstance(message, dict):
        return message
    error = completion.get("error") if isinstance(completion, dict) else None
    if error:
        detail = error.get("message", error) if isinstance(error, dict) else error
        raise GenerationError(f"the model server reported an error: {str(detail)[:EXCERPT]}")
    raise GenerationError(
        "the model server's answer has no choices[0].message: it is not an OpenAI-compatible "
        "chat completion; check HOOKGATE_LLM_BASE_URL"
    )


def _text(content: Any) -> str:
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        return "".join(
            str(part.get("text", "")) for part in content if isinstance(part, dict)
        ).strip()
    return content.strip() if isinstance(content, str) else ""


def _from_arguments(arguments: Any) -> str:
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as exc:
            raise UnusableAnswer(
                f"the {TOOL_NAME} arguments are not valid JSON ({exc.msg} at character "
                f"{exc.pos}): {arguments[:EXCERPT]!r}; pass a JSON object like "
                '{"filter": "(eq \\"action\\" \\"opened\\")"}'
            ) from None
    return _filter_of(arguments, f"the {TOOL_NAME} call")


def _from_content(text: str) -> str:
    if not text:
        raise UnusableAnswer(f"the answer neither called {TOOL_NAME} nor held any text")
    fenced = _FENCE.match(text)
    body = fenced.group(1).strip() if fenced else text
    if body.startswith("("):
        return body  # a bare expression: as good as the JSON form, and checked all the same
    start, end = body.find("{"), body.rfind("}")
    if start != -1 and end > start:
        try:
            return _filter_of(json.loads(body[start : end + 1]), "the answer's JSON")
        except json.JSONDecodeError:
            pass
    raise UnusableAnswer(
        f"the answer neither called {TOOL_NAME} nor was a JSON object "
        f'{{"filter": "..."}}: {text[:EXCERPT]!r}'
    )


def _filter_of(arguments: Any, where: str) -> str:
    value = arguments.get("filter") if isinstance(arguments, dict) else None
    if not isinstance(value, str) or not value.strip():
        got = json.dumps(arguments, ensure_ascii=False, default=str)[:EXCERPT]
        raise UnusableAnswer(
            f'{where} needs one argument, "filter", holding the expression as a string; got {got}'
        )
    return value.strip()
