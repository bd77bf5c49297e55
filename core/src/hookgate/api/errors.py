"""Error answers of the admin API: ``{"error": {"code", "message", "details"}}``.

Service errors carry their status and code (:mod:`hookgate.services.common`);
everything else that can go wrong before a service runs (authentication, a
malformed body, a field that fails validation) is an :class:`ApiError` here.
Messages say what is wrong and how to fix it and never echo a secret: a
validation error names the field, never the value that was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.responses import JSONResponse

from hookgate.errors import AuthenticationError
from hookgate.logs import RateLimitedLog
from hookgate.services.common import ServiceError

log = logging.getLogger("hookgate.api")


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """Every non-2xx answer of the admin API."""

    error: ErrorInfo


class ApiError(Exception):
    """An answer other than success, raised anywhere below an endpoint."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers

    def response(self) -> JSONResponse:
        body = ErrorBody(
            error=ErrorInfo(code=self.code, message=self.message, details=self.details)
        )
        return JSONResponse(body.model_dump(mode="json"), self.status, headers=self.headers)


#: A database outage fails every request: one log line per interval, not a traceback each.
_OUTAGE = RateLimitedLog(log, per_seconds=10)


def store_down(exc: BaseException) -> ApiError:
    """``503 store_unavailable`` for a request that failed because the database is down."""
    _OUTAGE.warning("the admin API cannot reach the database: %s", type(exc).__name__)
    return ApiError(
        503,
        "store_unavailable",
        "the database cannot be reached right now: try again shortly",
        headers={"Retry-After": "5"},
    )


def from_service(exc: ServiceError) -> ApiError:
    return ApiError(exc.status, exc.code, str(exc), exc.details)


def unauthorized(exc: AuthenticationError) -> ApiError:
    return ApiError(401, "unauthorized", str(exc), headers={"WWW-Authenticate": "Bearer"})


def invalid_fields(exc: ValidationError, where: str) -> ApiError:
    """422 naming each field that failed, e.g. ``name: Field required``."""
    problems = [
        {
            "field": ".".join(str(part) for part in error["loc"]) or where,
            "message": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors(include_input=False, include_url=False)
    ]
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
    return ApiError(422, "validation_error", f"invalid {where}: {summary}", problems)


#: The statuses an error answer can have, with what they mean (for the OpenAPI document).
ERROR_STATUSES: dict[int, str] = {
    400: "The body is not JSON.",
    401: "No API key, an unknown one, or a revoked one.",
    403: "Your role does not allow this (members cannot manage sources, read the audit log, ...).",
    404: "No such object in your workspace, or not yours (triggers and runs are personal).",
    409: "A conflict: the name is taken, or the provider refused the registration "
    "(missing rights or scope, or the connection needs re-authorization); `code` says which.",
    413: "The body is over HOOKGATE_MAX_BODY_BYTES.",
    422: "A field is invalid, or the request breaks a rule; `details` says which.",
    502: "An upstream failed: the provider's API during registration, or the filter generator.",
    503: "Not available: the database cannot be reached (`store_unavailable`, retry later), "
    "or no filter generator is configured.",
    504: "An upstream did not answer in time (the filter generator).",
}
