"""Why generating a filter failed, each mapped to the HTTP status the admin API answers.

::

    ServiceError (hookgate.services)
    └── GenerationError             502  the generator failed
        ├── GeneratorNotConfigured  503  no backend: HOOKGATE_LLM_* unset and no plugin
        ├── GeneratorTimeout        504  the model did not answer in time
        └── NoValidFilter           422  every answer failed the checks, repairs included

    UnusableAnswer (ValueError)          an answer that holds no filter; asked again

Messages say what went wrong and what to do; none contains the API key.
"""

from __future__ import annotations

from hookgate.services.common import ServiceError

__all__ = [
    "GenerationError",
    "GeneratorNotConfigured",
    "GeneratorTimeout",
    "NoValidFilter",
    "UnusableAnswer",
]


class GenerationError(ServiceError):
    """The filter generator could not be reached, refused, or broke its contract."""

    status = 502


class GeneratorNotConfigured(GenerationError):
    """No filter generator is available; the message says how to configure one."""

    status = 503


class GeneratorTimeout(GenerationError):
    """The model did not answer within ``HOOKGATE_LLM_TIMEOUT``."""

    status = 504


class NoValidFilter(GenerationError):
    """Every answer, after the allowed repairs, was still not a valid filter.

    ``problems`` lists what was wrong with each attempt, in order; the last one
    is in the message. ``last_answer`` is the last rejected text, if any.
    """

    status = 422

    def __init__(self, message: str, *, problems: list[str], last_answer: str | None) -> None:
        super().__init__(message)
        self.problems = problems
        self.attempts = len(problems)
        self.last_answer = last_answer


class UnusableAnswer(ValueError):
    """A generator's answer holds no filter (malformed tool call, prose, empty).

    Generators raise it (any :class:`ValueError` is treated the same way); core
    then asks again with this message, like for an invalid filter.
    """
