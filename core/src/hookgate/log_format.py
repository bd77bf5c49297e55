"""``HOOKGATE_LOG_FORMAT``: JSON lines for machines, readable (and coloured) text for people.

:func:`hookgate.logs.configure_logging` installs the JSON handler;
:func:`apply_log_format` swaps its formatter for :class:`TextFormatter` when
the format is ``text``, or ``auto`` and the stream is a terminal. A terminal
gets colour unless ``NO_COLOR`` is set (https://no-color.org).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any, TextIO

from hookgate.logs import current_request

_LEVEL_COLOURS = {
    "DEBUG": "\x1b[2m",
    "INFO": "\x1b[32m",
    "WARNING": "\x1b[33m",
    "ERROR": "\x1b[31m",
    "CRITICAL": "\x1b[1;31m",
}
_DIM, _RESET = "\x1b[2m", "\x1b[0m"


class TextFormatter(logging.Formatter):
    """``12:00:01.234 INFO  hookgate.request  POST /hooks/src_1/*** 202  status=202 ...``."""

    def __init__(self, *, colour: bool = False) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")[:-3]
        level = f"{record.levelname:<7}"
        extras: dict[str, Any] = {}
        info = current_request()
        if info is not None:
            extras["request_id"] = info.request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            extras.update(fields)
        tail = " ".join(f"{k}={v}" for k, v in extras.items() if v is not None)
        if self.colour:
            level = f"{_LEVEL_COLOURS.get(record.levelname, '')}{level}{_RESET}"
            moment, name = f"{_DIM}{moment}{_RESET}", f"{_DIM}{record.name}{_RESET}"
            tail = f"{_DIM}{tail}{_RESET}" if tail else ""
        else:
            name = record.name
        line = f"{moment} {level} {name}  {record.getMessage()}"
        if tail:
            line += f"  {tail}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def wants_text(log_format: str, stream: TextIO) -> bool:
    """Whether ``log_format`` (``auto``, ``text``, ``json``) means text on ``stream``."""
    if log_format == "auto":
        return _is_terminal(stream)
    return log_format == "text"


def apply_log_format(handler: logging.Handler, log_format: str, stream: TextIO) -> None:
    """Give ``handler`` (writing to ``stream``) the formatter ``log_format`` asks for."""
    if wants_text(log_format, stream):
        colour = _is_terminal(stream) and not os.environ.get("NO_COLOR")
        handler.setFormatter(TextFormatter(colour=colour))


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


__all__ = ["TextFormatter", "apply_log_format", "wants_text"]
