"""Why generating a filter failed, each mapped to the HTTP status the admin API answers.

::

    ServiceError (hookgate.services)          status  code
    └── GenerationError                        502     generation_failed
        ├── GeneratorNotConfigured             503     generation_not_configured
        ├── GeneratorTimeout                   504     generation_timeout
        └── NoValidFilter                      422     no_valid_filter

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
    code = "generation_failed"


class GeneratorNotConfigured(GenerationError):
    """No filter generator is available; the message says how to configure one."""

    status = 503
    code = "generation_not_configured"


class GeneratorTimeout(GenerationError):
    """The model did not answer within ``HOOKGATE_LLM_TIMEOUT``."""

    status = 504
    code = "generation_timeout"


class NoValidFilter(GenerationError):
    """Every answer, after the allowed repairs, was still not a valid filter.

    ``problems`` lists what was wrong with each attempt, in order; the last one
    is in the message. ``last_answer`` is the last rejected text, if any. Both
    are in ``details`` for the admin API.
    """

    status = 422
    code = "no_valid_filter"

    def __init__(self, message: str, *, problems: list[str], last_answer: str | None) -> None:
        super().__init__(message, details={"problems": problems, "last_answer": last_answer})
        self.problems = problems
        self.attempts = len(problems)
        self.last_answer = last_answer


class UnusableAnswer(ValueError):
    """A generator's answer holds no filter (malformed tool call, prose, empty).

    Generators raise it (any :class:`ValueError` is treated the same way); core
    then asks again with this message, like for an invalid filter.
    """
