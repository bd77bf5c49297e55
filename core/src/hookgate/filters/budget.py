"""Time budgets for work on filters: checked between units of work, never preemptive.

Explaining, checking and dry-running a filter take a :class:`Deadline` and call
:meth:`Deadline.check` between leaves, path steps and events; past the end it
raises :class:`~hookgate.filters.errors.FilterTooExpensive`. Each unit of work
is itself bounded (a leaf reads the payload at most once per path step, and
the size budgets in :mod:`~hookgate.filters.errors` cap the leaves), so a
deadline is overrun by at most one unit.
"""

from __future__ import annotations

import time

from hookgate.filters.errors import FilterTooExpensive

__all__ = ["Deadline", "EventBudget"]


class Deadline:
    """The end of a time budget of ``budget`` seconds, starting now."""

    __slots__ = ("budget", "end", "hint", "what")

    def __init__(
        self,
        budget: float,
        what: str = "the filter",
        hint: str = "use fewer conditions or shorter value lists, or fewer .* over large arrays",
    ) -> None:
        self.budget = budget
        self.what = what
        self.hint = hint
        self.end = time.perf_counter() + budget

    @property
    def remaining(self) -> float:
        return self.end - time.perf_counter()

    def expired(self) -> bool:
        return time.perf_counter() > self.end

    def check(self) -> None:
        """Raise :class:`FilterTooExpensive` once the budget is spent.

        Also lets other threads run: work under a budget runs on a thread beside
        the event loop, and a zero sleep hands the loop the GIL at once instead
        of after Python's 5 ms switch interval.
        """
        time.sleep(0)
        if time.perf_counter() > self.end:
            raise FilterTooExpensive(
                f"{self.what} took longer than its budget of {self.budget * 1000:.0f} ms; "
                f"{self.hint}",
                budget=self.budget,
            )


class EventBudget:
    """The time one event's triggers may spend in their filters, and which ones it failed.

    :class:`~hookgate.filters.index.TriggerIndex` runs light filters (no ``.*``,
    no array tests: a few dictionary look-ups each) first and the heavy ones
    after, timing each. A heavy filter that alone takes longer than the budget
    fails for this event (its result is dropped); once the budget is spent,
    the filters not yet run fail without running. Light filters never wait for
    heavy ones, and the heavy ones wait at most one budget.
    """

    __slots__ = ("budget", "end", "failed")

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.end = time.perf_counter() + budget
        #: Trigger id -> why its filter failed on this event.
        self.failed: dict[str, str] = {}

    def spent(self) -> bool:
        return time.perf_counter() > self.end

    def skip(self, ids: set[str]) -> None:
        reason = f"not evaluated: the event's filter budget of {self._ms(self.budget)} was spent"
        self.failed.update(dict.fromkeys(ids, reason))

    def overran(self, ids: set[str], took: float) -> None:
        reason = (
            f"its filter took {self._ms(took)} on this event, over the per-event budget "
            f"of {self._ms(self.budget)}"
        )
        self.failed.update(dict.fromkeys(ids, reason))

    @staticmethod
    def _ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"
