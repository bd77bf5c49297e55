"""The JQL of a dynamic webhook: built from projects, or an admin's own, checked first.

Dynamic webhooks accept only a subset of JQL (the register operation's text):
fields ``issueKey``, ``project``, ``issuetype``, ``status``, ``assignee``,
``reporter``, ``issue.property[...]`` and ``cf[id]``; operators ``=``, ``!=``,
``IN`` and ``NOT IN``; no functions, no ``IS``/``~``/``<``. Clauses join with
``AND``/``OR`` and parentheses. A JQL outside that subset is refused here, with
the reason, before any call to Atlassian (which would answer 200 with an error
per webhook).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

FIELDS = ("issuekey", "project", "issuetype", "status", "assignee", "reporter")
#: Matches every issue: what a source without projects or JQL registers.
EVERYTHING = "project != ___hookgate_none___"

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<op>!=|=)
    | (?P<paren>[(),])
    | (?P<word>issue\.property\[[^\]]+\](?:\.[A-Za-z0-9_.]+)?|cf\[\d+\]|[A-Za-z0-9_.\-]+)
    )""",
    re.VERBOSE,
)


def quote(value: str) -> str:
    """``value`` as a JQL string literal: double quotes, with ``"`` and ``\\`` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def for_projects(keys: Sequence[str]) -> str:
    """``project IN ("A", "B")``: one webhook for many projects (the 5-webhook cap)."""
    if not keys:
        return EVERYTHING
    return f"project IN ({', '.join(quote(k) for k in keys)})"


class JQLError(ValueError):
    """A JQL that dynamic webhooks would refuse; the message says what and why."""


def _tokens(jql: str) -> list[tuple[str, str]]:
    found, at = [], 0
    while at < len(jql):
        if jql[at:].strip() == "":
            break
        match = _TOKEN.match(jql, at)
        if match is None or match.end() == at:
            raise JQLError(f"unexpected {jql[at:].strip()[:20]!r} at character {at + 1}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        at = match.end()
    return found


def check(jql: str) -> str:
    """``jql`` if dynamic webhooks accept it; :class:`JQLError` naming the problem if not."""
    tokens = _tokens(jql)
    if not tokens:
        raise JQLError("the JQL is empty")
    position = _expression(tokens, 0)
    if position != len(tokens):
        raise JQLError(f"unexpected {tokens[position][1]!r} after a complete clause")
    return jql.strip()


def _expression(tokens: list[tuple[str, str]], at: int) -> int:
    at = _term(tokens, at)
    while at < len(tokens) and tokens[at][1].upper() in ("AND", "OR"):
        at = _term(tokens, at + 1)
    return at


def _term(tokens: list[tuple[str, str]], at: int) -> int:
    if at >= len(tokens):
        raise JQLError("the JQL ends where a clause should start")
    kind, value = tokens[at]
    if value == "(":
        at = _expression(tokens, at + 1)
        if at >= len(tokens) or tokens[at][1] != ")":
            raise JQLError("a parenthesis is not closed")
        return at + 1
    if kind != "word" or not _known_field(value):
        raise JQLError(
            f"field {value!r} is not supported in a webhook's JQL: use issueKey, project, "
            "issuetype, status, assignee, reporter, issue.property[...] or cf[id]"
        )
    return _operand(tokens, _operator(tokens, at + 1))


def _known_field(word: str) -> bool:
    lower = word.lower()
    return lower in FIELDS or lower.startswith(("issue.property[", "cf["))


def _operator(tokens: list[tuple[str, str]], at: int) -> tuple[int, bool]:
    """The position after the operator, and whether it takes a list (IN, NOT IN)."""
    words = [t[1].upper() for t in tokens[at : at + 2]]
    if words[:1] in (["="], ["!="]):
        return at + 1, False
    if words[:1] == ["IN"]:
        return at + 1, True
    if words == ["NOT", "IN"]:
        return at + 2, True
    got = tokens[at][1] if at < len(tokens) else "the end"
    raise JQLError(f"operator {got!r} is not supported in a webhook's JQL: use =, !=, IN or NOT IN")


def _operand(tokens: list[tuple[str, str]], position: tuple[int, bool]) -> int:
    at, is_list = position
    if not is_list:
        return _value(tokens, at)
    if at >= len(tokens) or tokens[at][1] != "(":
        raise JQLError('IN and NOT IN need a parenthesised list: project IN ("A", "B")')
    at = _value(tokens, at + 1)
    while at < len(tokens) and tokens[at][1] == ",":
        at = _value(tokens, at + 1)
    if at >= len(tokens) or tokens[at][1] != ")":
        raise JQLError("a value list is not closed with )")
    return at + 1


def _value(tokens: list[tuple[str, str]], at: int) -> int:
    if at >= len(tokens):
        raise JQLError("a value is missing at the end")
    kind, value = tokens[at]
    if kind == "string" or (kind == "word" and value.upper() not in ("AND", "OR", "NOT", "IN")):
        if at + 1 < len(tokens) and tokens[at + 1][1] == "(":
            raise JQLError(f"functions such as {value}() are not supported in a webhook's JQL")
        return at + 1
    raise JQLError(f"expected a value, found {value!r}")


__all__ = ["EVERYTHING", "JQLError", "check", "for_projects", "quote"]
