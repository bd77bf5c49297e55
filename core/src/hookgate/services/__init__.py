"""The service layer: every business rule, shared by the CLI and the admin API.

Functions take the :class:`~hookgate.Runtime` and an :class:`Actor` (who is
acting, in which workspace) and raise :class:`ServiceError` subclasses with
messages meant for the person who made the request.
"""

from hookgate.services.common import (
    Actor,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
    default_actor,
)

__all__ = ["Actor", "Conflict", "Forbidden", "Invalid", "NotFound", "ServiceError", "default_actor"]
