"""Recursive-descent parser: expression text to a :mod:`~hookgate.filters.ast` tree.

Grammar::

    filter  = expr END
    expr    = "(" OPERATOR args ")"
    args    = expr+                 and, or
            | expr                  not
            | field value           eq starts-with contains has gt gte lt lte
            | field "(" value+ ")"  has-all has-any
            | field                 exists
    field   = STRING | WORD
    value   = STRING | NUMBER | WORD      (WORD true/false/null are literals)

Recursion depth is bounded by :data:`~hookgate.filters.errors.MAX_DEPTH`, the
filter's size by :data:`~hookgate.filters.errors.MAX_LEAVES`,
:data:`~hookgate.filters.errors.MAX_VALUES` and
:data:`~hookgate.filters.errors.MAX_WILDCARDS`; paths are read by
:mod:`~hookgate.filters.paths`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from hookgate.filters.ast import (
    OPERATORS,
    BoolOp,
    FieldPath,
    Leaf,
    Node,
    Not,
    OpKind,
    OpSpec,
    Scalar,
    Span,
    json_type,
)
from hookgate.filters.errors import (
    MAX_DEPTH,
    MAX_LEAVES,
    MAX_VALUES,
    MAX_WILDCARDS,
    FilterSyntaxError,
)
from hookgate.filters.literals import misread_number
from hookgate.filters.paths import parse_path
from hookgate.filters.printer import literal, quote
from hookgate.filters.suggest import closest_operator
from hookgate.filters.tokenizer import Token, TokenKind, plain_strings, tokenize

__all__ = ["parse", "parse_path"]

_KEYWORDS: dict[str, Scalar] = {"true": True, "false": False, "null": None}
_EXAMPLE = '(eq "action" "opened")'


def parse(text: str) -> Node:
    """Parse a filter expression.

    :raises FilterSyntaxError: with the line and column of the first problem.
    """
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: Iterator[Token] = tokenize(text)
        self.current: Token = next(self.tokens)
        self.line_starts = [0]
        self.line_starts.extend(i + 1 for i, c in enumerate(text) if c == "\n")
        self.size = _Size()

    # -- helpers -----------------------------------------------------------------

    def kind(self) -> TokenKind:
        # A method, not an attribute read, so type narrowing does not outlive advance().
        return self.current.kind

    def advance(self) -> Token:
        token = self.current
        if token.kind is not TokenKind.END:
            self.current = next(self.tokens)
        return token

    def span(self, token: Token) -> Span:
        line = bisect.bisect_right(self.line_starts, token.offset)
        column = token.offset - self.line_starts[line - 1] + 1
        return Span(token.offset, line, column, token.length)

    def error(self, message: str, token: Token) -> FilterSyntaxError:
        return FilterSyntaxError(
            message, expression=self.text, offset=token.offset, length=token.length
        )

    def describe(self, token: Token) -> str:
        if token.kind is TokenKind.END:
            return "the end of the filter"
        if token.kind is TokenKind.STRING:
            return f"the string {quote(str(token.value))}"
        return f"{self.text[token.offset : token.offset + token.length]!r}"

    def unclosed(self, opener: Token) -> FilterSyntaxError:
        where = self.span(opener)
        return self.error(
            f"unexpected end of the filter: the '(' at line {where.line}, column "
            f"{where.column} is never closed; add a ')'",
            self.current,
        )

    # -- grammar -----------------------------------------------------------------

    def parse(self) -> Node:
        if self.kind() is TokenKind.END:
            raise self.error(
                f"the filter is empty; write an expression such as {_EXAMPLE}", self.current
            )
        if self.kind() is not TokenKind.LPAREN:
            raise self.error(
                f"a filter starts with '(' and an operator, found {self.describe(self.current)}; "
                f"for example {_EXAMPLE}",
                self.current,
            )
        node = self.expression(depth=1)
        if self.kind() is not TokenKind.END:
            raise self.error(
                f"unexpected {self.describe(self.current)} after the end of the filter; "
                "combine several conditions with (and ...) or (or ...)",
                self.current,
            )
        over = self.size.over_limit()
        if over is not None:
            raise self.error(*over)
        return node

    def open(self, depth: int) -> Token:
        opener = self.advance()
        if depth > MAX_DEPTH:
            raise self.error(
                f"the filter nests deeper than {MAX_DEPTH} levels; flatten it, e.g. "
                "(and a b c) instead of (and a (and b c))",
                opener,
            )
        return opener

    def expression(self, depth: int) -> Node:
        opener = self.open(depth)
        token = self.current
        if token.kind is TokenKind.END:
            raise self.unclosed(opener)
        if token.kind is not TokenKind.WORD:
            raise self.error(
                f"expected an operator after '(', found {self.describe(token)}; operators are "
                f"{', '.join(OPERATORS)}",
                token,
            )
        spec = OPERATORS.get(str(token.value))
        if spec is None:
            raise self.error(_unknown_operator(str(token.value)), token)
        self.advance()
        span = self.span(opener)
        if spec.kind is OpKind.BOOLEAN:
            node: Node = BoolOp(spec.name, self.operands(spec, opener, depth), span)
        elif spec.kind is OpKind.NOT:
            node = Not(self.operands(spec, opener, depth)[0], span)
        else:
            node = self.leaf(spec, opener, span, depth)
        self.close(spec, opener)
        return node

    def operands(self, spec: OpSpec, opener: Token, depth: int) -> tuple[Node, ...]:
        found: list[Node] = []
        while self.kind() is TokenKind.LPAREN:
            if spec.kind is OpKind.NOT and found:
                raise self.error(
                    "not takes exactly one expression; to negate several, write "
                    "(not (or a b)) or (and (not a) (not b))",
                    self.current,
                )
            found.append(self.expression(depth + 1))
        if self.kind() is TokenKind.END:
            raise self.unclosed(opener)
        if self.kind() is not TokenKind.RPAREN:
            raise self.error(
                f"{spec.name} takes expressions in parentheses, found "
                f"{self.describe(self.current)}; for example ({spec.name} {_EXAMPLE} ...)",
                self.current,
            )
        if not found:
            needed = "one expression" if spec.kind is OpKind.NOT else "at least one expression"
            raise self.error(
                f"{spec.name} needs {needed}, e.g. ({spec.name} {_EXAMPLE})", self.current
            )
        return tuple(found)

    def close(self, spec: OpSpec, opener: Token) -> None:
        token = self.current
        if token.kind is TokenKind.RPAREN:
            self.advance()
            return
        if token.kind is TokenKind.END:
            raise self.unclosed(opener)
        raise self.error(
            f"{spec.name} {_shape(spec)}; unexpected {self.describe(token)}, expected ')'",
            token,
        )

    def leaf(self, spec: OpSpec, opener: Token, span: Span, depth: int) -> Leaf:
        path_token = self.current
        path = self.field(spec, opener)
        if spec.kind is OpKind.FIELD:
            values: tuple[Scalar, ...] = ()
        elif spec.kind is OpKind.LIST:
            values = self.value_list(spec, opener, depth)
        else:
            values = (self.value(spec, opener),)
        self.size.add(path, values, opener)
        return Leaf(spec.name, path, values, span, self.span(path_token))

    def field(self, spec: OpSpec, opener: Token) -> FieldPath:
        token = self.current
        if token.kind is TokenKind.END:
            raise self.unclosed(opener)
        word_is_path = token.kind is TokenKind.WORD and str(token.value) not in _KEYWORDS
        if token.kind is not TokenKind.STRING and not word_is_path:
            raise self.error(
                f"{spec.name} {_shape(spec)}; expected a field path such as "
                f'"pull_request.title", found {self.describe(token)}',
                token,
            )
        self.advance()
        start = token.offset + (1 if token.kind is TokenKind.STRING else 0)
        return parse_path(str(token.value), expression=self.text, offset=start)

    def value(self, spec: OpSpec, opener: Token) -> Scalar:
        token = self.current
        if token.kind is TokenKind.END:
            raise self.unclosed(opener)
        if token.kind in (TokenKind.LPAREN, TokenKind.RPAREN):
            hint = " (a list of values goes with has-all or has-any)"
            raise self.error(
                f"{spec.name} {_shape(spec)}; expected a value, found {self.describe(token)}"
                + (hint if token.kind is TokenKind.LPAREN else ""),
                token,
            )
        value = self.literal(token)
        misread = misread_number(value) if isinstance(value, str) else None
        if misread and token.kind is TokenKind.WORD:
            raise self.error(misread, token)
        if json_type(value) not in spec.value_types:
            raise self.error(_wrong_value_type(spec, value), token)
        self.advance()
        return value

    def value_list(self, spec: OpSpec, opener: Token, depth: int) -> tuple[Scalar, ...]:
        token = self.current
        if token.kind is TokenKind.END:
            raise self.unclosed(opener)
        if token.kind is not TokenKind.LPAREN:
            raise self.error(
                f"{spec.name} takes a list of values in parentheses, found "
                f'{self.describe(token)}; write ({spec.name} "field" ("a" "b"))',
                token,
            )
        list_opener = self.open(depth + 1)
        values: list[Scalar] = []
        room = MAX_VALUES - self.size.values
        if self.kind() is TokenKind.STRING:
            self.bulk(values)
        while self.kind() not in (TokenKind.RPAREN, TokenKind.END):
            if len(values) == room:  # stop reading: a hostile list costs no more than this
                raise self.error(
                    f"the filter ({len(self.text):,} characters) has more than {MAX_VALUES:,} "
                    f"values; the limit is {MAX_VALUES:,} per filter. Split it into several "
                    "triggers or match on a shorter list",
                    self.current,
                )
            token = self.current
            if token.kind is TokenKind.STRING or token.kind is TokenKind.NUMBER:
                # Lists take any JSON scalar: strings and numbers need no more checks.
                values.append(token.value)
                self.advance()
            else:
                values.append(self.value(spec, list_opener))
        if self.kind() is TokenKind.END:
            raise self.unclosed(list_opener)
        if not values:
            raise self.error(
                f"{spec.name} needs at least one value in its list; an empty list is never "
                f'what you mean: ({spec.name} "field" ("a"))',
                self.current,
            )
        self.advance()
        return tuple(values)

    def bulk(self, values: list[Scalar]) -> None:
        """Read a run of plain strings at once, then go on token by token after it."""
        found, end = plain_strings(self.text, self.current.offset)
        if len(found) > 1:
            values.extend(found)
            self.tokens = tokenize(self.text, end)
            self.current = next(self.tokens)

    def literal(self, token: Token) -> Scalar:
        if token.kind is TokenKind.WORD:
            word = str(token.value)
            return _KEYWORDS.get(word, word)
        return token.value


class _Size:
    """What the filter costs, against the budgets in :mod:`~hookgate.filters.errors`.

    Counted while parsing (one pass) and judged at the end, so the
    error gives the whole filter's size and points at the first leaf over.
    """

    def __init__(self) -> None:
        self.leaves = 0
        self.values = 0
        self.wildcards = 0
        self.first_over: dict[str, Token] = {}

    def add(self, path: FieldPath, values: tuple[Scalar, ...], opener: Token) -> None:
        self.leaves += 1
        self.values += len(values)
        self.wildcards += path.segments.count("*")
        for kind, count, limit in self.counts():
            if count > limit:
                self.first_over.setdefault(kind, opener)

    def counts(self) -> list[tuple[str, int, int]]:
        return [
            ("conditions", self.leaves, MAX_LEAVES),
            ("values", self.values, MAX_VALUES),
            ("wildcards (.*)", self.wildcards, MAX_WILDCARDS),
        ]

    def over_limit(self) -> tuple[str, Token] | None:
        """The message and the leaf to point at when the filter breaks a limit."""
        for kind, count, limit in self.counts():
            if kind in self.first_over:
                message = (
                    f"the filter has {count:,} {kind}; the limit is {limit:,} per filter. "
                    "Split it into several triggers"
                    + (" or match on a shorter list" if kind == "values" else "")
                )
                return message, self.first_over[kind]
        return None


def _shape(spec: OpSpec) -> str:
    shapes = {
        OpKind.VALUE: f'takes a field and one value: ({spec.name} "field" value)',
        OpKind.LIST: f'takes a field and a list: ({spec.name} "field" ("a" "b"))',
        OpKind.FIELD: f'takes only a field: ({spec.name} "field")',
    }
    return shapes.get(spec.kind, "")


def _unknown_operator(word: str) -> str:
    guess = closest_operator(word, OPERATORS)
    hint = f"did you mean {guess!r}? " if guess else ""
    return f"unknown operator {word!r}; {hint}operators are {', '.join(OPERATORS)}"


def _wrong_value_type(spec: OpSpec, value: Scalar) -> str:
    wanted = " or ".join(sorted(spec.value_types))
    shown = literal(value)
    fix = (
        f'write a number such as ({spec.name} "field" 10)'
        if spec.value_types == {"number"}
        else "put the value in double quotes"
    )
    return f"{spec.name} compares with a {wanted}, but {shown} is a {json_type(value)}; {fix}"
