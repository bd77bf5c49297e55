"""Closest-name suggestions for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "closest_operator"]

# Spellings people bring from other languages; difflib can't guess these.
_ALIASES = {
    "=": "eq",
    "==": "eq",
    "equals": "eq",
    "equal": "eq",
    ">": "gt",
    ">=": "gte",
    "<": "lt",
    "<=": "lte",
    "!": "not",
    "&&": "and",
    "||": "or",
    "in": "has-any",
    "includes": "has",
    "startswith": "starts-with",
    "prefix": "starts-with",
    "present": "exists",
}


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` was most likely meant to be, or ``None``."""
    options = sorted(set(candidates))
    by_case = {option.lower(): option for option in options}
    if word.lower() in by_case:
        return by_case[word.lower()]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def closest_operator(word: str, operators: Iterable[str]) -> str | None:
    """Like :func:`closest`, also knowing ``starts_with`` and other spellings."""
    options = set(operators)
    normal = word.lower().replace("_", "-")
    alias = _ALIASES.get(normal, normal)
    if alias in options:
        return alias
    return closest(normal, options)
