"""The ``log`` sink: one JSON line per run on stdout.

The default sink, for trying hookgate out and for setups where another
process tails the output. It shows which run would reach which agent, never
the payload itself (it may hold personal data) and never a secret.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from hookgate.types import Delivery, DeliveryResult


def payload_size(payload: Any) -> int | None:
    """Bytes of the payload as compact UTF-8 JSON; ``None`` when the run carries none."""
    if payload is None:
        return None
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return len(text.encode())


def log_line(delivery: Delivery) -> str:
    """The line the log sink prints for ``delivery`` (without the newline)."""
    record = {
        "sink": "log",
        "run_id": delivery.run_id,
        "attempt": delivery.attempt,
        "trigger_id": delivery.trigger_id,
        "agent_id": delivery.agent_id,
        "source_id": delivery.source_id,
        "workspace_id": delivery.workspace_id,
        "event_type": delivery.event_type,
        "event_id": delivery.event_id,
        "payload_bytes": payload_size(delivery.payload),
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class LogSink:
    """Prints one JSON line per run and flushes it at once.

    :param stream: where to write; by default ``sys.stdout`` as it is at
        delivery time, so redirections made after start-up are honoured.
    """

    name: str = "log"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        stream = self._stream if self._stream is not None else sys.stdout
        # One write call per line keeps lines whole when several workers share the output;
        # flushing makes the line visible even if the process dies right after.
        stream.write(log_line(delivery) + "\n")
        stream.flush()
        return DeliveryResult(detail="written to the log")

    def __repr__(self) -> str:
        return "LogSink()"


__all__ = ["LogSink", "log_line", "payload_size"]
