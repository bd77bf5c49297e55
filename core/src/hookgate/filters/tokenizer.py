"""Turn expression text into tokens.

One left-to-right pass with anchored regular expressions whose patterns cannot
backtrack badly, so any input ends in time linear in its length.

Whitespace is JavaScript's ``\\s`` set (:data:`WHITESPACE`), what users of the
JavaScript tools this language comes from already have: it includes U+FEFF, so
a leading byte-order mark is skipped, and it excludes the separators U+001C to
U+001F and U+0085 that Python's ``str.isspace`` also counts. A number is
exactly a JSON number; bare words that other languages read as numbers
(``.5``, ``5.``, ``+5``, ``0x1F``, ``007``, ``Infinity``, ``NaN``) are kept as
words and refused by the parser where a value is expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum
from typing import NamedTuple

from hookgate.filters.errors import MAX_LENGTH, FilterSyntaxError

__all__ = ["WHITESPACE", "Token", "TokenKind", "tokenize"]


class TokenKind(Enum):
    LPAREN = "("
    RPAREN = ")"
    STRING = "string"  # double-quoted; value is unescaped
    NUMBER = "number"
    WORD = "word"  # a bare word: an operator, true/false/null, or an unquoted string
    END = "end of input"


class Token(NamedTuple):
    # A named tuple: a filter of 30,000 values makes 30,000 tokens, and tuples are cheap.
    kind: TokenKind
    value: str | int | float
    offset: int
    length: int


#: The characters that separate tokens: JavaScript's ``\s`` (ECMA-262 WhiteSpace and
#: LineTerminator), so U+FEFF (a byte-order mark) is one and U+001C-U+001F, U+0085 are not.
WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_SPACE = re.compile(f"[{WHITESPACE}]+")
# Unrolled loop: the two alternatives can't match the same text, so no backtracking blow-up.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# RFC 8259's number grammar, nothing more.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# One match per token (leading whitespace included); the group that matched names its kind.
_TOKEN = re.compile(
    f'[{WHITESPACE}]*(?:(\\()|(\\))|({_STRING.pattern})|([^{WHITESPACE}()"]+))', re.DOTALL
)
_PAREN = {1: Token(TokenKind.LPAREN, "(", 0, 1), 2: Token(TokenKind.RPAREN, ")", 0, 1)}
_MAX_NUMBER_CHARS = 100
_PLAIN = re.compile(r'"([^"\\]*)"')
_PLAIN_RUN = re.compile(f'(?:"[^"\\\\]*"[{WHITESPACE}]*)+')


def tokenize(text: str, start: int = 0) -> Iterator[Token]:
    """Yield the tokens of ``text`` from offset ``start``, ending with one ``END`` token.

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
    pos = start
    end = len(text)
    match = _TOKEN.match
    while True:
        found = match(text, pos)
        if found is None:  # only whitespace left, or a string that never closes
            space = _SPACE.match(text, pos)
            pos = space.end() if space else pos
            if pos >= end:
                yield Token(TokenKind.END, "", end, 0)
                return
            _string(text, pos)  # raises: nothing else fails to match
            raise AssertionError(f"no token at offset {pos}")
        kind = found.lastindex or 0
        start = found.start(kind)
        pos = found.end()
        if kind == 4:
            yield _word(text, start, found.group(4))
        elif kind == 3:
            yield _string(text, start)
        else:
            yield _PAREN[kind]._replace(offset=start)


def plain_strings(text: str, pos: int) -> tuple[list[str], int]:
    """The run of escape-free strings starting at ``pos`` and the offset after it.

    A list of thousands of label or repository names is read in one regular
    expression pass instead of one token at a time.
    """
    run = _PLAIN_RUN.match(text, pos)
    if run is None:
        return [], pos
    return _PLAIN.findall(run.group()), run.end()


def _word(text: str, pos: int, raw: str) -> Token:
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
