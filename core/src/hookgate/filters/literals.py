"""Bare words that other languages read as numbers but JSON does not.

A bare value is a number exactly when it is a JSON number. ``.5``, ``5.``,
``+5``, ``007``, ``0x1F``, ``Infinity`` and ``NaN`` are numbers in JavaScript
or Python, so a user who writes them means a number; reading them as strings
would make the filter silently never match. They are refused with the JSON
spelling instead.
"""

from __future__ import annotations

import math
import re

__all__ = ["misread_number"]

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RADIX = re.compile(r"[+-]?0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_SPECIAL = frozenset(sign + name for sign in ("", "+", "-") for name in ("Infinity", "NaN"))


def misread_number(word: str) -> str | None:
    """Why ``word`` is refused as a value, with its JSON spelling; ``None`` for a plain word."""
    if word in _SPECIAL:
        return (
            f"{word} is not a JSON number (JSON has no infinity or NaN); compare with a large "
            f'number such as 1e308, or write "{word}" in quotes to mean the string'
        )
    if _RADIX.fullmatch(word):
        value = int(word, 0)
        kind = {"x": "hexadecimal", "o": "octal", "b": "binary"}[word.lstrip("+-")[1].lower()]
        return _refusal(word, f"{kind} is not JSON", str(value))
    if _DECIMAL.fullmatch(word):
        number = float(word)
        if math.isinf(number):
            return None  # the tokenizer's range check speaks for out-of-range numbers
        whole = number.is_integer() and "e" not in word.lower()
        return _refusal(word, _decimal_reason(word), str(int(number)) if whole else repr(number))
    return None


def _decimal_reason(word: str) -> str:
    digits = word.lstrip("+-")
    if word.startswith("+"):
        return "JSON numbers have no '+' sign"
    if digits.startswith("."):
        return "JSON numbers need a digit before the '.'"
    if "." in digits and not digits.split(".")[1][:1].isdigit():
        return "JSON numbers need a digit after the '.'"
    return "JSON numbers have no leading zeros"


def _refusal(word: str, reason: str, fix: str) -> str:
    return (
        f'{word} is not a JSON number ({reason}); write {fix}, or "{word}" in quotes for the string'
    )
