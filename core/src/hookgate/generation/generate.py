"""Generate a filter from a description: ask, check, repair, dry-run.

The generator (whichever plugin offers one, else the built-in
OpenAI-compatible backend) is asked for a filter. Its answer is parsed and
checked against the event schema; on a problem the generator is asked again
with the exact error, at most ``max_repairs`` times. Only a filter that
passed the checks is ever returned, together with a dry run on the source's
stored events and the provider's samples. Nothing is saved: the caller
creates the trigger (keeping the description next to the filter).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from hookgate.errors import HookgateError, UnknownProviderError
from hookgate.filters import Filter, FilterSyntaxError, Problem, check_filter, compile_filter
from hookgate.generation.backend import configuration_problem
from hookgate.generation.errors import GenerationError, GeneratorNotConfigured, NoValidFilter
from hookgate.generation.facts import bundle_schema
from hookgate.generation.prompt import GRAMMAR
from hookgate.services.common import Actor, Invalid
from hookgate.services.filters import DryRun, dry_run, source_provider
from hookgate.types import EventSchema, FilterGenerationRequest, FilterGenerator

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

__all__ = ["MAX_DESCRIPTION", "MAX_REPAIRS", "GenerationResult", "generate_filter", "generator_for"]

log = logging.getLogger("hookgate.generation")

#: Repairs after the first answer: each one tells the generator its exact mistake.
MAX_REPAIRS = 2
#: Longest description accepted, in characters.
MAX_DESCRIPTION = 2000

_FENCE = re.compile(r"^```[\w-]*\s*\n?(.*?)\n?```$", re.DOTALL)


@dataclass(frozen=True)
class GenerationResult:
    """A checked filter, how it was reached, and what it would have matched.

    ``filter`` is in canonical form and passed the parser and, when
    ``schema_checked``, the static check against the event schema.
    ``problems`` are what was wrong with the earlier answers (repaired), in
    order; ``warnings`` are what the schema check still flags (fields an open
    schema allows but does not describe).
    """

    filter: str
    description: str
    provider: str
    event_type: str | None
    source_id: str | None
    generator: str
    attempts: int
    schema_checked: bool
    dry_run: DryRun
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filter": self.filter,
            "description": self.description,
            "provider": self.provider,
            "event_type": self.event_type,
            "source_id": self.source_id,
            "generator": self.generator,
            "attempts": self.attempts,
            "schema_checked": self.schema_checked,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "dry_run": self.dry_run.as_dict(),
        }


async def generate_filter(
    runtime: Runtime,
    actor: Actor,
    *,
    description: str,
    provider: str | None = None,
    event_type: str | None = None,
    source_id: str | None = None,
    schema: EventSchema | None = None,
    last: int = 50,
    max_repairs: int = MAX_REPAIRS,
) -> GenerationResult:
    """Write a filter for ``description``, check it, and dry-run it.

    :param provider: whose events; may be left out when ``source_id`` is given.
    :param event_type: the event type the trigger will have; required when the
        provider describes its event types (its schema drives the prompt and
        the check).
    :param source_id: a source of the actor's workspace: the dry run reads its
        last ``last`` stored events.
    :param schema: the event schema to use instead of the provider's (a
        custom source's attached schema).
    :raises Invalid: a bad description, provider, event type or source.
    :raises NotFound: no such source in the actor's workspace.
    :raises GeneratorNotConfigured: no generator; the message says how to configure one.
    :raises NoValidFilter: still no valid filter after ``max_repairs`` repairs.
    :raises GenerationError: the generator failed (unreachable, refused, too slow).
    """
    text = _description(description)
    provider = await _provider(runtime, actor, provider, source_id)
    if schema is None:
        schema = _provider_schema(runtime, provider, event_type)
    generator = generator_for(runtime)
    request = FilterGenerationRequest(
        description=text,
        provider=provider,
        event_type=event_type,
        json_schema=bundle_schema(schema.json_schema, schema.resources) if schema else None,
        sample=schema.sample if schema and schema.sample else None,
        grammar=GRAMMAR,
    )
    accepted = await _generate(generator, request, schema, max_repairs)
    report = await dry_run(
        runtime,
        actor,
        source_id,
        str(accepted.filter),
        last=last,
        event_type=event_type,
        provider=provider,
        samples=[schema] if schema is not None else None,
    )
    log.info(
        "generated a filter for %s %s in %d attempt(s) with %s",
        provider,
        event_type or "(any event type)",
        accepted.attempts,
        generator.name,
    )
    return GenerationResult(
        filter=str(accepted.filter),
        description=text,
        provider=provider,
        event_type=event_type,
        source_id=source_id,
        generator=str(generator.name),
        attempts=accepted.attempts,
        schema_checked=schema is not None,
        dry_run=report,
        problems=accepted.problems,
        warnings=accepted.warnings,
    )


def generator_for(runtime: Runtime) -> FilterGenerator:
    """The generator a plugin offers (else the built-in one), or :class:`GeneratorNotConfigured`."""
    found = runtime.plugins.filter_generator(runtime.settings)
    if found is None:
        raise GeneratorNotConfigured(
            configuration_problem(runtime.settings)
            or "no filter generator is available: set HOOKGATE_LLM_BASE_URL and "
            "HOOKGATE_LLM_MODEL, or install a plugin that implements filter_generator"
        )
    return found


# -- what the filter is for -------------------------------------------------------------


def _description(description: str) -> str:
    text = description.strip()
    if not text:
        raise Invalid("describe the events the filter should match, e.g. 'pull requests opened'")
    if len(text) > MAX_DESCRIPTION:
        raise Invalid(
            f"the description has {len(text)} characters; keep it under {MAX_DESCRIPTION}"
        )
    return text


async def _provider(
    runtime: Runtime, actor: Actor, provider: str | None, source_id: str | None
) -> str:
    if source_id is not None:
        owner = await source_provider(runtime, actor, source_id)
        if provider is not None and provider != owner:
            raise Invalid(f"source {source_id} is a {owner} source, not {provider}")
        provider = owner
    if not provider:
        raise Invalid("name the provider whose events the filter is for, or a source")
    try:
        runtime.plugins.provider(provider)
    except UnknownProviderError as exc:
        raise Invalid(str(exc)) from exc
    return provider


def _provider_schema(runtime: Runtime, provider: str, event_type: str | None) -> EventSchema | None:
    known = runtime.plugins.schemas(provider)
    if not known:
        return None  # event types are per source (custom): pass its schema explicitly
    listed = ", ".join(sorted(known))
    if event_type is None:
        raise Invalid(
            f"choose the {provider} event type the filter is for (its schema is what the "
            f"filter is written from and checked against); known: {listed}"
        )
    if event_type not in known:
        raise Invalid(f"unknown event type {event_type!r} for {provider}; known: {listed}")
    return known[event_type]


# -- ask, check, repair -----------------------------------------------------------------


@dataclass
class _Accepted:
    filter: Filter
    attempts: int
    problems: list[str]
    warnings: list[str]


@dataclass
class _Verdict:
    """One answer judged: a filter to accept, or the problem to send back."""

    filter: Filter | None = None
    warnings: list[str] = field(default_factory=list)
    problem: str = ""  # one line, for people
    feedback: str = ""  # for the generator: the rejected filter and the exact error


async def _generate(
    generator: FilterGenerator,
    request: FilterGenerationRequest,
    schema: EventSchema | None,
    max_repairs: int,
) -> _Accepted:
    problems: list[str] = []
    answer: str | None = None
    attempts = max_repairs + 1
    for attempt in range(1, attempts + 1):
        try:
            answer = await _ask(generator, request)
        except ValueError as exc:  # UnusableAnswer, or a plugin's own "can't"
            verdict = _Verdict(
                problem=f"the answer could not be used: {exc}",
                feedback=f"Your answer could not be used: {exc}",
            )
        else:
            verdict = _judge(answer, schema, last=attempt == attempts)
        if verdict.filter is not None:
            return _Accepted(verdict.filter, attempt, problems, verdict.warnings)
        problems.append(verdict.problem)
        log.info("attempt %d of %d rejected: %s", attempt, attempts, verdict.problem)
        request = replace(request, previous_error=verdict.feedback)
    raise NoValidFilter(
        f"no valid filter after {attempts} attempt(s); the last problem: {problems[-1]}. "
        "Rephrase the description (name the fields and values you mean), or write the "
        "filter yourself and check it with `hookgate filter check`",
        problems=problems,
        last_answer=answer,
    )


async def _ask(generator: FilterGenerator, request: FilterGenerationRequest) -> str:
    try:
        answer = await generator.generate(request)
    except (HookgateError, ValueError):
        raise
    except Exception as exc:
        raise GenerationError(
            f"the filter generator {generator.name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(answer, str):
        raise GenerationError(
            f"the filter generator {generator.name!r} returned a {type(answer).__name__}, "
            "not the filter text"
        )
    return answer


def _judge(answer: str, schema: EventSchema | None, *, last: bool) -> _Verdict:
    text = _unfenced(answer)
    if not text:
        empty = "the answer was empty"
        return _Verdict(problem=empty, feedback=f"Your answer could not be used: {empty}")
    try:
        compiled = compile_filter(text)
    except FilterSyntaxError as exc:
        return _rejected(text, str(exc), exc.render())
    if schema is None:
        return _Verdict(filter=compiled)
    found = check_filter(compiled, schema.json_schema, resources=schema.resources, warnings=True)
    errors = [p for p in found if p.severity == "error"]
    # An undocumented field close to a documented one is most likely a typo: worth a repair
    # while any is left; after that it is accepted with its warning (open schemas allow it).
    typos = [p for p in found if p.severity == "warning" and p.suggestion]
    wrong = errors or ([] if last else typos)
    if wrong:
        text_of = _problems_text(wrong)
        return _rejected(text, text_of, text_of)
    return _Verdict(filter=compiled, warnings=[str(p) for p in found])


def _rejected(text: str, problem: str, detail: str) -> _Verdict:
    feedback = f"Your filter\n{text}\nwas rejected:\n{detail}"
    return _Verdict(problem=problem, feedback=feedback)


def _problems_text(problems: list[Problem]) -> str:
    return "; ".join(str(p) for p in problems)


def _unfenced(answer: str) -> str:
    text = answer.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1).strip() if fenced else text
