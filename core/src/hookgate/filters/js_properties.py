"""JavaScript property names in field paths: ``title.length``, ``labels.includes``.

Users coming from JavaScript-based tools write ``(gt "labels.length" 3)``. A
path only reads JSON fields, so on a string or an array such a part reads
nothing and the filter never matches. This module recognises those names and
says what to write instead: ``(exists "labels.3")`` for "more than 3 labels".
"""

from __future__ import annotations

from hookgate.filters.ast import Leaf
from hookgate.filters.printer import quote

__all__ = ["JS_PROPERTIES", "js_property_fix"]

_MAP = 'to test items, map with .* and use has: (has "labels.*.name" "bug")'
#: JavaScript properties and methods of strings and arrays, and what works instead.
JS_PROPERTIES: dict[str, str] = {
    "length": "",  # worked out from the leaf: see _length
    "includes": "use has for an array or contains for a string",
    "indexOf": "use has for an array or contains for a string",
    "startsWith": "use starts-with",
    "endsWith": "there is no ends-with; use contains or an exact eq",
    "toLowerCase": "comparisons are case-sensitive; list the spellings with (or ...)",
    "toUpperCase": "comparisons are case-sensitive; list the spellings with (or ...)",
    "trim": "values are compared as sent; list the spellings with (or ...)",
    "at": 'index with a number: "labels.0" (or labels[0])',
    "some": _MAP,
    "every": "use has-all with the values every item must include",
    "map": _MAP,
    "filter": _MAP,
    "find": _MAP,
    "join": "use has or has-any on the array itself",
}


def js_property_fix(leaf: Leaf, index: int, *, string: bool) -> tuple[str, str | None]:
    """What to write instead of the JavaScript property at ``leaf.path.segments[index]``.

    ``string`` says the value before it is known to be a string (not an array).
    Returns the advice and, when one filter says the same, that filter.
    """
    name = leaf.path.segments[index]
    prefix = ".".join(leaf.path.segments[:index])
    if name != "length":
        return JS_PROPERTIES[name], None
    if string:
        empty = f'(not (eq {quote(prefix)} ""))'
        return f"a string's length can't be tested, only its value: {empty} is non-empty", (
            empty if leaf.op == "exists" or (leaf.op == "gt" and leaf.values == (0,)) else None
        )
    return _length(leaf, prefix)


def _length(leaf: Leaf, prefix: str) -> tuple[str, str | None]:
    advice = (
        f"to count an array's items, test whether an item exists: "
        f"(exists {quote(prefix + '.0')}) is true when it has at least one"
    )
    value = leaf.values[0] if leaf.values else None
    if type(value) is not int or value < 0:
        return advice, f"(exists {quote(prefix + '.0')})" if leaf.op == "exists" else None
    forms = {
        "gt": f"(exists {quote(f'{prefix}.{value}')})",
        "gte": f"(exists {quote(f'{prefix}.{value - 1}')})" if value > 0 else None,
        "lt": f"(not (exists {quote(f'{prefix}.{value - 1}')}))" if value > 0 else None,
        "lte": f"(not (exists {quote(f'{prefix}.{value}')}))",
        "eq": (
            f"(and (exists {quote(f'{prefix}.{value - 1}')}) "
            f"(not (exists {quote(f'{prefix}.{value}')})))"
            if value > 0
            else f"(not (exists {quote(prefix + '.0')}))"
        ),
    }
    return advice, forms.get(leaf.op)
