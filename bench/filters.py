"""How fast are compiled filters? Prints every figure in one run.

    uv run --group bench python bench/filters.py [--quick]

1. One filter on a real GitHub ``pull_request`` delivery, the same predicate
   (action equality, a numeric comparison, label membership through a
   wildcard) written five ways: a compiled hookgate filter, a hand-written
   Python function, jmespath and cel-python. Microseconds per evaluation and
   the ratio to the hand-written function.
2. Fan-out: 10,000 triggers with realistic filters on one source; time to find
   the matching triggers of one event with ``TriggerIndex`` and by running every
   filter, median over many different events.
3. Worst cases (issue 14): the member reproducers and filters at the size
   budgets, against the fast path of part 1, and the old quadratic membership
   test as the baseline.

Targets (issue 3): compiled ≤ 3x hand-written; indexed fan-out ≤ 1 ms median.
Issue 14: the reproducers well under 100 ms.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hookgate.filters import (
    MAX_LEAVES,
    Filter,
    FilterSyntaxError,
    TriggerIndex,
    compile_filter,
    explain,
)
from hookgate.filters.semantics import strict_equal

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD_FILE = ROOT / "tests" / "fixtures" / "github" / "pull_request.opened.json"

# Every leaf is true on the fixture, so every contender evaluates all three parts.
FILTER = (
    '(and (eq "action" "opened")'
    ' (gte "pull_request.changed_files" 1)'
    ' (has "pull_request.labels.*.name" "bug"))'
)
JMESPATH = (
    "action == 'opened' && pull_request.changed_files >= `1`"
    " && contains(pull_request.labels[*].name, 'bug')"
)
CEL = (
    'action == "opened" && pull_request.changed_files >= 1'
    ' && "bug" in pull_request.labels.map(l, l.name)'
)


def hand_written(payload: Any) -> bool:
    """The predicate as a careful programmer writes it: same strict semantics as the filter."""
    pr = payload.get("pull_request")
    if payload.get("action") != "opened" or not isinstance(pr, dict):
        return False
    files = pr.get("changed_files")
    if not isinstance(files, int) or isinstance(files, bool) or files < 1:
        return False
    labels = pr.get("labels")
    return isinstance(labels, list) and any(
        isinstance(label, dict) and label.get("name") == "bug" for label in labels
    )


def per_call_us(function: Callable[[], object], seconds: float) -> float:
    """Median microseconds per call over 7 runs of about ``seconds`` / 7 each."""
    number = max(1, int(seconds / 7 / _one_call(function)))
    runs = timeit.repeat(function, number=number, repeat=7)
    return statistics.median(runs) / number * 1e6


def _one_call(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(100):
        function()
    return max((time.perf_counter() - started) / 100, 1e-9)


def contenders(payload: Any) -> dict[str, Callable[[], object]]:
    flt = compile_filter(FILTER)
    found: dict[str, Callable[[], object]] = {
        "hand-written Python": lambda: hand_written(payload),
        "hookgate Filter(payload)": lambda: flt(payload),
        "hookgate filter.predicate": lambda: flt.predicate(payload),
    }
    try:
        import jmespath

        expression = jmespath.compile(JMESPATH)
        found["jmespath (compiled)"] = lambda: expression.search(payload)
    except ImportError:
        print("jmespath not installed: uv run --group bench ...")
    try:
        import celpy

        environment = celpy.Environment()
        program = environment.program(environment.compile(CEL))
        activation = celpy.json_to_cel(payload)
        found["cel-python (payload pre-converted)"] = lambda: program.evaluate(activation)
        found["cel-python (incl. json_to_cel)"] = lambda: program.evaluate(
            celpy.json_to_cel(payload)
        )
    except ImportError:
        print("cel-python not installed: uv run --group bench ...")
    return found


def single_filter(payload: Any, seconds: float) -> None:
    print(f"1. one filter on {PAYLOAD_FILE.name}\n   {FILTER}\n")
    results = contenders(payload)
    outcomes = {name: bool(run()) for name, run in results.items()}
    assert all(outcomes.values()), outcomes  # every contender must agree: a match
    timings = {name: per_call_us(run, seconds) for name, run in results.items()}
    base = timings["hand-written Python"]
    print(f"   {'contender':<38} {'µs/eval':>9} {'vs hand-written':>16}")
    for name, micros in timings.items():
        print(f"   {name:<38} {micros:>9.3f} {micros / base:>15.2f}x")
    ratio = timings["hookgate Filter(payload)"] / base
    verdict = "meets" if ratio <= 3 else "MISSES"
    print(f"\n   compiled filter / hand-written = {ratio:.2f}x ({verdict} the ≤ 3x target)\n")


# -- fan-out ------------------------------------------------------------------------

ACTIONS = ["opened", "synchronize", "closed", "labeled", "reopened", "edited"]
REPOS = [f"acme/service-{i}" for i in range(1000)]
USERS = [f"user-{i}" for i in range(1000)]
LABELS = [f"area/{i}" for i in range(200)] + ["bug", "wip", "do-not-review", "urgent"]


def realistic_filter(rng: random.Random) -> str:
    """One trigger's filter, drawn from the shapes users write."""
    label = rng.choice(LABELS)
    extra = rng.choice(
        [
            f'(gt "pull_request.changed_files" {rng.randint(1, 50)})',
            f'(has "pull_request.labels.*.name" "{label}")',
            '(starts-with "pull_request.head.ref" "feature/")',
            '(not (has-any "pull_request.labels.*.name" ("wip" "do-not-review")))',
            '(eq "pull_request.draft" false)',
        ]
    )
    shape = rng.random()
    if shape < 0.60:  # one repository, one action
        repo, action = rng.choice(REPOS), rng.choice(ACTIONS)
        return f'(and (eq "repository.full_name" "{repo}") (eq "action" "{action}") {extra})'
    if shape < 0.80:  # any repository, one action, a label
        action = rng.choice(ACTIONS)
        return f'(and (eq "action" "{action}") (has "pull_request.labels.*.name" "{label}"))'
    if shape < 0.90:  # pull requests by one author
        user = rng.choice(USERS)
        return (
            '(and (or (eq "action" "opened") (eq "action" "reopened"))'
            f' (eq "pull_request.user.login" "{user}") {extra})'
        )
    if shape < 0.95:
        return f'(eq "sender.login" "{rng.choice(USERS)}")'
    return extra  # pins nothing: evaluated on every event


def make_events(template: Any, rng: random.Random, count: int) -> list[Any]:
    events = []
    for _ in range(count):
        event = copy.deepcopy(template)
        event["action"] = rng.choice(ACTIONS)
        event["repository"]["full_name"] = rng.choice(REPOS)
        event["sender"]["login"] = rng.choice(USERS)
        pr = event["pull_request"]
        pr["user"]["login"] = rng.choice(USERS)
        pr["changed_files"] = rng.randint(0, 60)
        pr["labels"] = [{"name": name} for name in rng.sample(LABELS, rng.randint(0, 4))]
        pr["head"]["ref"] = rng.choice(["feature/x", "fix/y", "main"])
        events.append(event)
    return events


def median_ms(function: Callable[[Any], object], events: list[Any], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        for event in events:
            started = time.perf_counter()
            function(event)
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e3


def build_filters(triggers: int, *, distinct: bool) -> dict[str, Filter]:
    rng = random.Random(3)
    filters: dict[str, Filter] = {}
    for i in range(triggers):
        text = realistic_filter(rng)
        if distinct:
            # Always true on these events, but makes every filter unique, so
            # the index can't share one evaluation between triggers.
            text = f'(and {text} (lt "pull_request.number" {10**6 + i}))'
        filters[f"t{i}"] = compile_filter(text)
    return filters


def fan_out(template: Any, triggers: int, event_count: int, *, distinct: bool) -> None:
    filters = build_filters(triggers, distinct=distinct)
    started = time.perf_counter()
    index = TriggerIndex()
    for trigger_id, flt in filters.items():
        index.add(trigger_id, flt)
    events = make_events(template, random.Random(4), event_count)
    index.match(events[0])  # files the index for good after the bulk load
    build_ms = (time.perf_counter() - started) * 1e3

    def brute(event: Any) -> set[str]:
        return {trigger_id for trigger_id, flt in filters.items() if flt(event)}

    matches = [index.match(event) for event in events]
    assert matches == [brute(event) for event in events], "index and brute force disagree"
    indexed = median_ms(index.match, events, rounds=5)
    forced = median_ms(brute, events, rounds=1)
    candidates = statistics.mean(index.candidates(event) for event in events)
    matched = statistics.mean(len(m) for m in matches)
    unique = len(set(filters.values()))
    print(
        f"   {unique:,} distinct filters; index built in {build_ms:.0f} ms; per event "
        f"{candidates:.0f} filters run on average, {matched:.1f} triggers matched"
    )
    print(f"   {'TriggerIndex.match':<38} {indexed:>9.3f} ms median")
    print(f"   {'every filter (brute force)':<38} {forced:>9.3f} ms median")
    verdict = "meets" if indexed <= 1 else "MISSES"
    print(f"   indexed is {forced / indexed:.0f}x faster ({verdict} the ≤ 1 ms target)\n")


# -- worst cases ----------------------------------------------------------------------


def _ms(function: Callable[[], object], repeat: int = 5) -> float:
    """Best of ``repeat`` runs, in milliseconds (worst cases run long: no timeit loops)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best * 1e3


def quadratic_has_any(items: list[Any], values: tuple[Any, ...]) -> bool:
    """The membership test before issue 14: every value against every item."""
    return any(any(strict_equal(item, value) for item in items) for value in values)


def _refused(text: str) -> None:
    try:
        compile_filter(text)
    except FilterSyntaxError:
        return
    raise AssertionError("the filter should be refused")


def worst_cases(payload: Any) -> None:
    fast = compile_filter(FILTER)
    fast_ms = per_call_us(lambda: fast(payload), 0.5) / 1e3
    values = tuple(f"v{i}" for i in range(2000))
    wide_text = '(has-any "a" (' + " ".join(f'"{v}"' for v in values) + "))"
    wide = compile_filter(wide_text)
    items = {"a": [f"w{i}" for i in range(10_000)]}
    small = {"a": items["a"][:1000]}
    nested = {"a": [[[[{"b": i} for i in range(10)] for _ in range(10)] for _ in range(10)]] * 10}
    stars = compile_filter('(has "a.*.*.*.*.b" 7)')
    big_text = "(or " + " ".join(f'(eq "k{i}.x.y" {i})' for i in range(MAX_LEAVES)) + ")"
    big = compile_filter(big_text)
    rows = [
        ("fast path of part 1: Filter(payload)", fast_ms),
        ("has-any 2,000 values / 10,000 items: Filter", _ms(lambda: wide(items))),
        ("  the same, explain()", _ms(lambda: explain(wide, items), 3)),
        ("  the same, parse + compile", _ms(lambda: compile_filter(wide_text), 3)),
        (
            "  baseline: quadratic test, 1,000 items",
            _ms(lambda: quadratic_has_any(small["a"], values), 1),
        ),
        ("  has-any, 1,000 items", _ms(lambda: wide(small))),
        (
            "path of 16,000 .* refused (parse)",
            _ms(lambda: _refused('(has "a' + ".*" * 16_000 + '" 1)')),
        ),
        ("4 .* over 10,000 objects: Filter", _ms(lambda: stars(nested))),
        (f"{MAX_LEAVES} conditions (the limit): compile", _ms(lambda: compile_filter(big_text), 3)),
        (f"{MAX_LEAVES} conditions: Filter(payload)", _ms(lambda: big(payload))),
    ]
    assert not wide(items)
    assert stars(nested)
    assert not big(payload)
    print(f"   {'case':<46} {'ms':>10} {'vs fast path':>14}")
    for name, ms in rows:
        print(f"   {name:<46} {ms:>10.3f} {ms / fast_ms:>13.0f}x")
    quadratic = rows[4][1]
    print(
        f"\n   has-any on 1,000 items: quadratic {quadratic:.1f} ms, now {rows[5][1]:.3f} ms "
        f"({quadratic / rows[5][1]:.0f}x); the reproducer (10,000 items) took 13.5 s before\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, fewer events")
    args = parser.parse_args()
    payload = json.loads(PAYLOAD_FILE.read_text(encoding="utf-8"))
    single_filter(payload, seconds=0.5 if args.quick else 3.0)
    events = 50 if args.quick else 300
    print(f"2. fan-out: 10,000 triggers on one source, {events} different events\n")
    print("   a) realistic mix (triggers often share a filter)")
    fan_out(payload, triggers=10_000, event_count=events, distinct=False)
    print("   b) the same mix, every filter made unique")
    fan_out(payload, triggers=10_000, event_count=events, distinct=True)
    print("3. worst cases (issue 14), best of a few runs\n")
    worst_cases(payload)


if __name__ == "__main__":
    main()
