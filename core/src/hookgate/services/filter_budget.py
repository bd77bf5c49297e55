"""Filter work asked for through the API runs off the event loop, within a time budget.

Checking, testing, explaining and dry-running a filter is CPU work on input a
caller controls. Done on the event loop it would hold up every request the
process serves, ingest of other tenants included. Here it runs on a small pool
of threads with a :class:`~hookgate.filters.budget.Deadline` that the work
checks between leaves, path steps and events; when the budget runs out the
caller gets ``filter_too_expensive`` (422). The loop only waits.

A thread is not preemptible, so the deadline is cooperative; the size budgets
of the language bound each unit of work between two checks. A unit that still
overruns is abandoned (the answer goes out at the budget plus a grace period)
and the pool's few threads keep any number of such requests from piling up.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from hookgate.filters import FilterTooExpensive
from hookgate.filters.budget import Deadline
from hookgate.services.common import ServiceError

__all__ = [
    "API_BUDGET",
    "DRY_RUN_BUDGET",
    "EVENT_VIEW_BUDGET",
    "TooExpensive",
    "off_loop",
]

#: Seconds a check, a test or an explanation may take.
API_BUDGET = 0.25
#: Seconds a dry run may take (it reads and evaluates up to 1,000 stored events).
DRY_RUN_BUDGET = 3.0
#: Seconds ``GET /events/{id}`` spends explaining the viewer's triggers.
EVENT_VIEW_BUDGET = 0.25
# How long past its budget a job may run before the caller is answered anyway.
_GRACE = 0.1
# Threads for filter work in one process: enough for a few callers at once, few
# enough that hostile requests can't take every core from ingest.
_THREADS = 2

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


class TooExpensive(ServiceError):
    """The filter work ran out of its time budget (``filter_too_expensive``)."""

    status = 422
    code = "filter_too_expensive"


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_THREADS, thread_name_prefix="hookgate-filters")
        return _pool


async def off_loop(work: Callable[[Deadline], T], deadline: Deadline) -> T:
    """Run ``work(deadline)`` on the filter threads; :class:`TooExpensive` past the deadline.

    One deadline may span several calls (a dry run's chunks of events). Time
    spent waiting for a free thread counts against it.
    """
    future = asyncio.get_running_loop().run_in_executor(_executor(), work, deadline)
    try:
        # shield: a timeout must not cancel the future the pool still completes.
        return await asyncio.wait_for(asyncio.shield(future), max(deadline.remaining, 0) + _GRACE)
    except FilterTooExpensive as exc:
        raise _too_expensive(exc.message, deadline.budget) from exc
    except TimeoutError as exc:
        future.add_done_callback(_discard)
        message = f"{deadline.what} took longer than its budget of {deadline.budget * 1000:.0f} ms"
        raise _too_expensive(message, deadline.budget) from exc


def _too_expensive(message: str, budget: float) -> TooExpensive:
    return TooExpensive(message, details={"budget_ms": round(budget * 1000)})


def _discard(future: asyncio.Future[Any]) -> None:
    # The abandoned job's outcome (often FilterTooExpensive) must not be logged as unretrieved.
    if not future.cancelled():
        future.exception()
