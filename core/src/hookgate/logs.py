"""Logging helpers."""

from __future__ import annotations

import logging
import time
from typing import Any


class RateLimitedLog:
    """Logs at most one line per ``per_seconds``; counts what it held back.

    Rejected webhooks are attacker-controlled: logging each would let anyone
    fill the disk. Metrics count every rejection; the log samples them.
    """

    def __init__(self, logger: logging.Logger, per_seconds: float) -> None:
        self._logger = logger
        self._per = per_seconds
        self._next = 0.0
        self._held = 0

    def warning(self, message: str, *args: Any) -> None:
        now = time.monotonic()
        if now < self._next:
            self._held += 1
            return
        if self._held:
            message += f" (and {self._held} more held back)"
        self._held = 0
        self._next = now + self._per
        self._logger.warning(message, *args)
