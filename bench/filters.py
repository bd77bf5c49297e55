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

Targets (issue 3): compiled ≤ 3x hand-written; indexed fan-out ≤ 1 ms median.
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

from hookgate.filters import Filter, TriggerIndex, compile_filter

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


if __name__ == "__main__":
    main()
