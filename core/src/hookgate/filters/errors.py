"""Errors of the filter language, and the limits that protect the parser."""

from __future__ import annotations

from hookgate.errors import HookgateError

__all__ = [
    "MAX_DEPTH",
    "MAX_LEAVES",
    "MAX_LENGTH",
    "MAX_SEGMENTS",
    "MAX_VALUES",
    "MAX_WILDCARDS",
    "MAX_WILDCARDS_PER_PATH",
    "FilterSyntaxError",
    "FilterTooExpensive",
    "caret",
]

#: Longest expression accepted, in characters. Real filters are a few hundred
#: characters; the cap keeps a hostile 10 MB body from costing anything.
MAX_LENGTH = 65_536
#: Deepest nesting of parentheses. Far above any real filter, far below the
#: Python recursion limit and the nesting the Python compiler accepts.
MAX_DEPTH = 64

# Budgets: what one filter may cost. Each bounds how much work a filter can make
# per event (a leaf reads at most the payload once per path step), far above
# real filters (a few conditions, a few dozen values) and far below what would
# let one filter hold up the others.

#: Most conditions (leaves: eq, has, exists, ...) in one filter.
MAX_LEAVES = 200
#: Most literal values in one filter, every leaf and list together.
MAX_VALUES = 5_000
#: Most ``.*`` in one field path (``commits.*.added.*`` has 2).
MAX_WILDCARDS_PER_PATH = 4
#: Most ``.*`` in one filter, every path together.
MAX_WILDCARDS = 32
#: Most parts in one field path (``pull_request.head.repo.owner.login`` has 5).
MAX_SEGMENTS = 128

# How much of a long line the caret rendering shows on each side of the error.
_WINDOW = 60


class FilterSyntaxError(HookgateError, ValueError):
    """An expression could not be parsed.

    ``line`` and ``column`` are 1-based and point at ``text``, the offending
    part of ``expression`` (empty at the end of input). :meth:`render` shows the
    line with a caret under it, as the CLI prints it.
    """

    def __init__(
        self,
        message: str,
        *,
        expression: str,
        offset: int,
        length: int = 1,
    ) -> None:
        self.message = message
        self.expression = expression
        self.offset = max(0, min(offset, len(expression)))
        self.line = expression.count("\n", 0, self.offset) + 1
        line_start = expression.rfind("\n", 0, self.offset) + 1
        self.column = self.offset - line_start + 1
        line_end = expression.find("\n", self.offset)
        end = len(expression) if line_end == -1 else line_end
        # The offending text never spills onto the next line: the caret can't show it.
        self.text = expression[self.offset : min(self.offset + max(length, 0), end)]
        super().__init__(f"{message} (line {self.line}, column {self.column})")

    def render(self) -> str:
        """The offending line with a caret under the error, then the message."""
        shown = caret(self.expression, self.line, self.column, max(len(self.text), 1))
        return f"{shown}\nerror: {self.message} (line {self.line}, column {self.column})"

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by ``--json`` output and the admin API."""
        return {
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "text": self.text,
        }


def caret(expression: str, line: int, column: int, length: int = 1) -> str:
    """Line ``line`` of ``expression`` and, under it, ``^`` marks from ``column``.

    A long line is cut to a window around the column, so even a 10 MB
    expression renders in one screen.
    """
    lines = expression.split("\n", line)  # no need to split past the line shown
    text = lines[line - 1] if line <= len(lines) else ""
    col = column - 1
    lo = max(0, col - _WINDOW)
    hi = min(len(text), col + length + _WINDOW)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    # Keep tabs so the caret lines up under tab-indented text.
    pad = "".join(c if c == "\t" else " " for c in text[lo:col])
    gutter = f"{line} | "
    return (
        f"{gutter}{prefix}{text[lo:hi]}{suffix}\n"
        f"{' ' * len(gutter)}{' ' * len(prefix)}{pad}{'^' * max(1, length)}"
    )


class FilterTooExpensive(HookgateError):
    """Evaluating, checking or explaining a filter ran out of its time budget.

    Raised by :class:`~hookgate.filters.budget.Deadline` between units of work;
    the admin API answers it as ``filter_too_expensive``.
    """

    def __init__(self, message: str, *, budget: float) -> None:
        super().__init__(message)
        self.message = message
        #: The budget that ran out, in seconds.
        self.budget = budget
