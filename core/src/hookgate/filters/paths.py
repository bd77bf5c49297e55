"""Field paths: ``pull_request.labels.0.name``, ``labels[0].name``, ``labels.*.name``.

A path is dotted names. A bracketed index (``labels[0]``, as JavaScript and the
tools this language comes from write it) means the same as ``labels.0``, and
``[*]`` the same as ``.*``; the canonical form prints dots. An array index is a
canonical non-negative integer (``0``, ``7``, ``12``): a part such as ``01`` or
``-1`` is a key of an object, never an index.
"""

from __future__ import annotations

import re

from hookgate.filters.ast import FieldPath
from hookgate.filters.errors import MAX_SEGMENTS, MAX_WILDCARDS_PER_PATH, FilterSyntaxError

__all__ = ["is_index", "parse_path"]

# A name runs to the next dot or bracket; a bracket holds anything up to its ']'.
_PART = re.compile(r"([^.\[]*)((?:\[[^\]]*\])*)")
_BRACKET = re.compile(r"\[([^\]]*)\]")
_INDEX = re.compile(r"0|[1-9][0-9]*")


def is_index(segment: str) -> bool:
    """Whether a path segment indexes an array: a canonical non-negative integer."""
    return _INDEX.fullmatch(segment) is not None


def parse_path(text: str, *, expression: str = "", offset: int = 0) -> FieldPath:
    """Check and split a field path; ``labels[0].name`` becomes ``labels.0.name``.

    :raises FilterSyntaxError: for an empty part, a bracket that is not an
        index, more than :data:`MAX_WILDCARDS_PER_PATH` ``.*`` or more than
        :data:`MAX_SEGMENTS` parts. Positions point into ``expression`` at
        ``offset`` (or into ``text`` when no expression is given).
    """
    where = _Where(text, expression, offset)
    rough = text.replace("[", ".").split(".")  # C speed: refuse a hostile path before parsing it
    if (
        len(rough) > 2 * MAX_SEGMENTS
        or rough.count("*") + rough.count("*]") > MAX_WILDCARDS_PER_PATH
    ):
        _check_size(where, text, [part.rstrip("]") for part in rough])
    segments: list[str] = []
    pos = 0
    while True:
        match = _PART.match(text, pos)
        assert match is not None  # both groups may match empty text
        name, brackets = match.group(1), match.group(2)
        if name:
            segments.append(name)
        elif not brackets or (pos > 0 and text[pos - 1] == "."):
            raise where.error(
                f"the field path {text!r} has an empty part; write names separated by single "
                'dots, like "pull_request.user.login"',
                pos,
            )
        for bracket in _BRACKET.finditer(brackets):
            segments.append(_bracket(where, bracket.group(1), match.start(2) + bracket.start()))
        pos = match.end()
        if pos < len(text) and text[pos] == "[":
            raise where.error(
                f"the field path {text!r} has a '[' without its ']'; write an index as "
                '"labels[0]" or "labels.0"',
                pos,
            )
        if pos >= len(text):
            break
        if text[pos] != ".":
            raise where.error(
                f"in the field path {text!r}, a ']' must be followed by '.', '[' or the end; "
                'write "labels[0].name"',
                pos,
            )
        pos += 1
        if pos == len(text):
            raise where.error(
                f"the field path {text!r} ends with a dot; remove it or name the next field", pos
            )
    _check_size(where, text, segments)
    canonical = ".".join(segments)
    return FieldPath(canonical, tuple(segments))


def _bracket(where: _Where, inside: str, pos: int) -> str:
    if inside == "*" or is_index(inside):
        return inside
    stripped = inside.strip().lstrip("+")
    if stripped.isascii() and stripped.isdigit():
        fix = f"[{int(stripped)}]"
        reason = "an index is written without signs, spaces or leading zeros"
    elif inside.startswith("-"):
        fix = "a positive index from the start"
        reason = "negative indexes (from the end) do not exist here"
    else:
        key = inside.strip("\"'")
        fix = f".{key}" if key else "an index such as [0]"
        reason = "brackets hold an array index (0, 1, 2, ...); a key is written after a dot"
    raise where.error(f"[{inside}] is not an index: {reason}; write {fix}", pos)


def _check_size(where: _Where, text: str, segments: list[str]) -> None:
    stars = [i for i, segment in enumerate(segments) if segment == "*"]
    if len(stars) > MAX_WILDCARDS_PER_PATH:
        raise where.error(
            f"the field path {text[:60]!r}{'…' if len(text) > 60 else ''} has {len(stars):,} "
            f"wildcards (.*); the limit is {MAX_WILDCARDS_PER_PATH} per path. Each .* flattens "
            "one level of arrays: name the level you need instead",
            0,
        )
    if len(segments) > MAX_SEGMENTS:
        raise where.error(
            f"the field path has {len(segments):,} parts; the limit is {MAX_SEGMENTS} "
            "(no webhook body nests that deep)",
            0,
        )


class _Where:
    """Turns a position in the path into an error pointing into the whole expression."""

    def __init__(self, text: str, expression: str, offset: int) -> None:
        self.text = text
        self.expression = expression or text
        self.offset = offset if expression else 0

    def error(self, message: str, pos: int) -> FilterSyntaxError:
        return FilterSyntaxError(message, expression=self.expression, offset=self.offset + pos)
