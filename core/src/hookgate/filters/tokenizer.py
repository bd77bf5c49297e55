"""Turn expression text into tokens.

One left-to-right pass with anchored regular expressions whose patterns cannot
backtrack badly, so any input ends in time linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from hookgate.filters.errors import MAX_LENGTH, FilterSyntaxError

__all__ = ["Token", "TokenKind", "tokenize"]


class TokenKind(Enum):
    LPAREN = "("
    RPAREN = ")"
    STRING = "string"  # double-quoted; value is unescaped
    NUMBER = "number"
    WORD = "word"  # a bare word: an operator, true/false/null, or an unquoted string
    END = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    value: str | int | float
    offset: int
    length: int


_SPACE = re.compile(r"\s+")
# Unrolled loop: the two alternatives can't match the same text, so no backtracking blow-up.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_WORD = re.compile(r'[^\s()"]+')
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_MAX_NUMBER_CHARS = 100


def tokenize(text: str) -> Iterator[Token]:
    """Yield the tokens of ``text``, ending with one ``END`` token.

    :raises FilterSyntaxError: on an over-long expression, an unterminated
        string, an unknown escape or a number out of range.
    """
    if len(text) > MAX_LENGTH:
        raise FilterSyntaxError(
            f"the filter is {len(text):,} characters long; the limit is {MAX_LENGTH:,}. "
            "Split it into several triggers or shorten the value lists",
            expression=text,
            offset=MAX_LENGTH,
        )
    pos = 0
    end = len(text)
    while True:
        space = _SPACE.match(text, pos)
        if space:
            pos = space.end()
        if pos >= end:
            yield Token(TokenKind.END, "", end, 0)
            return
        token = _next_token(text, pos)
        yield token
        pos = token.offset + token.length


def _next_token(text: str, pos: int) -> Token:
    char = text[pos]
    if char == "(":
        return Token(TokenKind.LPAREN, "(", pos, 1)
    if char == ")":
        return Token(TokenKind.RPAREN, ")", pos, 1)
    if char == '"':
        return _string(text, pos)
    word = _WORD.match(text, pos)
    assert word is not None  # any other character starts a word
    raw = word.group()
    if _NUMBER.fullmatch(raw):
        return Token(TokenKind.NUMBER, _number(text, pos, raw), pos, len(raw))
    return Token(TokenKind.WORD, raw, pos, len(raw))


def _string(text: str, pos: int) -> Token:
    match = _STRING.match(text, pos)
    if match is None:
        raise FilterSyntaxError(
            f'unterminated string: the string opened at {_where(text, pos)} has no closing "; '
            'add one, and write \\" for a quote inside a string',
            expression=text,
            offset=len(text),
            length=0,
        )
    raw = match.group()
    body = raw[1:-1]
    if "\\" in body:
        body = _unescape(text, pos + 1, body)
    return Token(TokenKind.STRING, body, pos, len(raw))


def _unescape(text: str, body_offset: int, body: str) -> str:
    for escape in _ESCAPE.finditer(body):
        if escape.group(1) not in '"\\':
            raise FilterSyntaxError(
                f'unknown escape {escape.group()} in a string: only \\" and \\\\ are '
                "escapes; write \\\\ for a literal backslash",
                expression=text,
                offset=body_offset + escape.start(),
                length=2,
            )
    return _ESCAPE.sub(lambda m: m.group(1), body)


def _number(text: str, pos: int, raw: str) -> int | float:
    problem = ""
    if len(raw) > _MAX_NUMBER_CHARS:
        problem = f"the number has {len(raw)} characters; the limit is {_MAX_NUMBER_CHARS}"
    elif "." in raw or "e" in raw or "E" in raw:
        number = float(raw)
        if number in (float("inf"), float("-inf")):
            problem = f"the number {raw} is out of range"
        else:
            return number
    else:
        return int(raw)
    raise FilterSyntaxError(
        f"{problem}; write it in quotes if it is meant as a string",
        expression=text,
        offset=pos,
        length=len(raw),
    )


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"
