"""The filter language: parse, compile, check, explain and index trigger filters.

::

    from hookgate.filters import compile_filter

    f = compile_filter('(and (eq "action" "opened") (gt "pull_request.changed_files" 20))')
    f(payload)  # True or False

``docs/filters.md`` describes the language, the CLI and this API.
"""

from __future__ import annotations

from hookgate.filters.ast import BoolOp, FieldPath, Leaf, Node, Not, Scalar, Span
from hookgate.filters.compiler import Filter, compile_filter
from hookgate.filters.errors import (
    MAX_DEPTH,
    MAX_LEAVES,
    MAX_LENGTH,
    MAX_SEGMENTS,
    MAX_VALUES,
    MAX_WILDCARDS,
    MAX_WILDCARDS_PER_PATH,
    FilterSyntaxError,
    FilterTooExpensive,
)
from hookgate.filters.explain import Explanation, LeafOutcome, explain
from hookgate.filters.index import TriggerIndex
from hookgate.filters.parser import parse
from hookgate.filters.printer import to_text
from hookgate.filters.schema_check import Problem, check_filter, lint_filter
from hookgate.filters.semantics import MISSING

__all__ = [
    "MAX_DEPTH",
    "MAX_LEAVES",
    "MAX_LENGTH",
    "MAX_SEGMENTS",
    "MAX_VALUES",
    "MAX_WILDCARDS",
    "MAX_WILDCARDS_PER_PATH",
    "MISSING",
    "BoolOp",
    "Explanation",
    "FieldPath",
    "Filter",
    "FilterSyntaxError",
    "FilterTooExpensive",
    "Leaf",
    "LeafOutcome",
    "Node",
    "Not",
    "Problem",
    "Scalar",
    "Span",
    "TriggerIndex",
    "check_filter",
    "compile_filter",
    "explain",
    "lint_filter",
    "parse",
    "to_text",
]
