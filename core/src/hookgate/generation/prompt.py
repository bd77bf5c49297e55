"""The prompt for filter generation, built from facts only.

A model writes a good filter when it is told exactly what exists: the
grammar and what each operator means, the fields of the event body (paths,
types, descriptions, allowed values) read from the event's JSON Schema, one
shortened sample payload, and the description. Nothing else goes in: no
stored events (they may hold data that must not leave the installation), no
secrets, no settings.

Any backend can use :func:`build_messages` to get the chat messages for a
:class:`~hookgate.FilterGenerationRequest`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from hookgate.generation.facts import schema_facts
from hookgate.types import FilterGenerationRequest

__all__ = ["GRAMMAR", "SAMPLE_BUDGET", "TOOL_NAME", "build_messages", "facts_text", "sample_text"]

#: The function the model is asked to call with the filter.
TOOL_NAME = "set_filter"

#: The filter language as a model needs it: the grammar and what each operator means.
GRAMMAR = """\
A filter is one parenthesised expression, (operator arguments...), evaluated on the JSON
body of one webhook event; it is true or false.

Combining:
  (and E1 E2 ...)   true when every expression is true (one or more expressions)
  (or E1 E2 ...)    true when at least one expression is true (one or more)
  (not E)           true when E is false (exactly one expression)

Conditions (FIELD is a double-quoted dotted path into the body):
  (eq FIELD VALUE)              the field equals VALUE and has the same JSON type
  (starts-with FIELD "text")    the field is a string that starts with the text
  (contains FIELD "text")       the field is a string that contains the text (a substring)
  (has FIELD VALUE)             the field is an array holding an item equal to VALUE
  (has-all FIELD (V1 V2 ...))   the field is an array holding every listed value
  (has-any FIELD (V1 V2 ...))   the field is an array holding at least one listed value
  (gt FIELD N) (gte FIELD N) (lt FIELD N) (lte FIELD N)
                                the field is a number >, >=, <, <= the number N
  (exists FIELD)                the field is present and not null

Values: "double-quoted strings" (the only escapes are \\" and \\\\), numbers as in JSON
(20, -3, 2.5), true, false, null.

Field paths:
  action                        a top-level key
  pull_request.user.login       keys of nested objects, separated by dots
  issue.labels.0.name           a number indexes an array (0 is the first item)
  pull_request.labels.*.name    .* maps over an array and yields an array of the values:
                                test it with has, has-all, has-any or exists, never eq

Meaning:
  - Comparison is strict, with no type coercion: 42 is not "42", a numeric operator on a
    string is false, strings compare case-sensitively.
  - Every operator is false on a missing field, so (not (eq FIELD V)) is true when FIELD is
    missing.
  - contains is for substrings of a string; use has for the items of an array.
  - Nothing may follow the expression: join several conditions with and / or.

Example, a pull request opened with more than 20 changed files and neither label wip nor
do-not-review:
  (and (eq "action" "opened")
       (gt "pull_request.changed_files" 20)
       (not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))
"""

_INSTRUCTIONS = f"""\
You write filters for hookgate, which starts agent runs from webhook events. A filter
decides which events of one type start a run. Write the simplest filter that does what the
user describes: use only the fields listed (or present in the sample), the exact values the
schema allows, and no condition the description does not ask for. The event type is already
chosen; do not test it unless it is a field of the body.

Answer by calling the function {TOOL_NAME} with the filter as its only argument. If you
cannot call functions, answer with only this JSON object and no other text:
{{"filter": "<the filter>"}}

The filter language:

"""

_REPAIR = f"""\
{{problem}}

Call {TOOL_NAME} again with a corrected filter that fixes exactly this problem and still
does what the description asks."""

#: Longest sample in the prompt, in characters (the fields are bounded in facts.py).
SAMPLE_BUDGET = 6000

# Successively harsher shortening of the sample: (longest string, items per array, depth).
_SAMPLE_PASSES = ((200, 3, 12), (80, 2, 8), (40, 1, 6), (20, 1, 4))


# -- the sample ---------------------------------------------------------------------


def sample_text(
    sample: Any, *, budget: int = SAMPLE_BUDGET, documented: Collection[str] = ()
) -> str:
    """``sample`` as compact JSON of at most about ``budget`` characters.

    Long strings are cut (ending in ``…``) and arrays keep their first items,
    harder until it fits, so the shape of the payload survives while its bulk
    does not. Items are dropped rather than replaced by a marker so every
    array keeps the item type the schema says. If that is not enough, keys the
    schema does not describe (``documented`` holds the described paths) go
    first, since the model may only rely on described fields anyway.
    """
    passes = [(sample, *limits) for limits in _SAMPLE_PASSES[:2]]
    if documented:
        pruned = _prune(sample, (), frozenset(documented))
        passes += [(pruned, *limits) for limits in _SAMPLE_PASSES]
    passes += [(sample, *limits) for limits in _SAMPLE_PASSES[2:]]
    text = ""
    for value, longest, items, depth in passes:
        shortened = _shorten(value, longest, items, depth)
        text = json.dumps(shortened, ensure_ascii=False, separators=(",", ":"))
        if len(text) <= budget:
            return text
    return text[:budget] + "…"


def _prune(value: Any, path: tuple[str, ...], documented: frozenset[str]) -> Any:
    """``value`` without the object keys the schema does not describe."""
    if isinstance(value, list):
        return [_prune(v, (*path, "*"), documented) for v in value]
    if not isinstance(value, Mapping):
        return value
    described = {k for k in value if ".".join((*path, str(k))) in documented}
    # An object whose keys the schema says nothing about is kept whole: it is all there is.
    keys = [k for k in value if k in described] if described else list(value)
    return {str(k): _prune(value[k], (*path, str(k)), documented) for k in keys}


def _shorten(value: Any, longest: int, items: int, depth: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= longest else value[:longest] + "…"
    if isinstance(value, list):
        if depth <= 0:
            return []
        return [_shorten(v, longest, items, depth - 1) for v in value[:items]]
    if isinstance(value, Mapping):
        if depth <= 0:
            return {}
        return {str(k): _shorten(v, longest, items, depth - 1) for k, v in value.items()}
    return value


# -- messages -----------------------------------------------------------------------


def build_messages(request: FilterGenerationRequest) -> list[dict[str, str]]:
    """The chat messages for ``request``: instructions and grammar, then the facts.

    With ``request.previous_error`` (a repair), a last message quotes the
    exact problem of the previous answer and asks for a corrected filter.
    """
    messages = [
        {"role": "system", "content": _INSTRUCTIONS + request.grammar},
        {"role": "user", "content": facts_text(request)},
    ]
    if request.previous_error:
        messages.append({"role": "user", "content": _REPAIR.format(problem=request.previous_error)})
    return messages


def facts_text(request: FilterGenerationRequest) -> str:
    """The user message: provider, event type, fields, sample and the description."""
    event = request.event_type or "any event type"
    parts = [f"Provider: {request.provider}\nEvent type: {event}"]
    schema = request.json_schema
    documented: list[str] = []
    if schema:
        summary = schema.get("description")
        if isinstance(summary, str) and summary.strip():
            parts.append(f"About this event: {' '.join(summary.split())}")
        facts = schema_facts(schema)
        documented = [fact.path for fact in facts.fields]
        if facts.fields:
            parts.append(
                "Fields of the event body (path: type — description; allowed values):\n"
                + facts.render()
            )
    else:
        parts.append("No schema is known for this event: rely on the sample and the description.")
    if request.sample:
        parts.append(
            "A sample event body (long strings and arrays shortened):\n"
            + sample_text(request.sample, documented=documented)
        )
    parts.append(
        "Write a filter that matches exactly these events:\n"
        f'"""\n{request.description.strip()}\n"""'
    )
    return "\n\n".join(parts)
