"""A small typed router: one :class:`Operation` per route, with its pydantic models.

An operation says what it reads (path id, query model, body model) and what
it answers (a response model and status); :func:`endpoint` turns it into a
Starlette endpoint that authenticates the caller, validates input, calls the
handler and serialises the result. The OpenAPI document is generated from the
same operations (:mod:`hookgate.api.openapi`), so it cannot drift from what
is served. Business rules live in :mod:`hookgate.services`; handlers only
translate between HTTP and service calls.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from hookgate.api.auth import authenticate
from hookgate.api.errors import ApiError, from_service, invalid_fields, store_down, unauthorized
from hookgate.body import BodyTooLarge, read_body
from hookgate.errors import AuthenticationError
from hookgate.logs import current_request
from hookgate.payloads import loads
from hookgate.services.common import Actor, ServiceError
from hookgate.store.availability import store_unavailable

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.api")

M = TypeVar("M", bound=BaseModel)

#: What a path id may look like; anything else cannot name an object, so it is a 404
#: without a database round trip (and odd bytes never reach a query).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$"
_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class Call:
    """One validated request, as a handler sees it."""

    runtime: Runtime
    actor: Actor
    path: dict[str, str]
    body: BaseModel | None
    query: BaseModel | None

    @property
    def id(self) -> str:
        return self.path["id"]

    def body_as(self, model: type[M]) -> M:
        assert isinstance(self.body, model), f"operation declares no {model.__name__} body"
        return self.body

    def query_as(self, model: type[M]) -> M:
        assert isinstance(self.query, model), f"operation declares no {model.__name__} query"
        return self.query


Handler = Callable[[Call], Awaitable[BaseModel | None]]


@dataclass(frozen=True)
class Operation:
    """One route of the admin API."""

    method: str
    path: str
    handler: Handler
    summary: str
    #: ``None``: the answer has no body (204).
    response: type[BaseModel] | None
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    tag: str = ""
    description: str = ""
    #: Error statuses beyond those implied by the inputs (401 always, 404 with an id, ...).
    errors: tuple[int, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__.strip("_")

    def error_statuses(self) -> list[int]:
        statuses = {401, 503, *self.errors}
        if "{id}" in self.path:
            statuses.add(404)
        if self.body is not None:
            statuses.update((400, 413, 422))
        if self.query is not None:
            statuses.add(422)
        return sorted(statuses)


def endpoint(runtime: Runtime, op: Operation) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint serving ``op``."""

    async def serve(request: Request) -> Response:
        try:
            call = await _call(runtime, op, request)
            result = await op.handler(call)
        except ApiError as exc:
            return exc.response()
        except ServiceError as exc:
            return from_service(exc).response()
        except AuthenticationError as exc:
            return unauthorized(exc).response()
        except Exception as exc:
            if store_unavailable(exc):  # not a bug: the client may retry
                return store_down(exc).response()
            # A bug: log it whole, answer without internals.
            log.exception("%s %s failed", op.method, op.path)
            info = current_request()
            where = f" (request id {info.request_id})" if info else ""
            return ApiError(
                500, "internal", f"internal error{where}: see the server log"
            ).response()
        if result is None:
            return Response(status_code=op.status)
        return Response(
            result.model_dump_json(by_alias=True), op.status, media_type="application/json"
        )

    serve.__name__ = op.operation_id
    return serve


async def _call(runtime: Runtime, op: Operation, request: Request) -> Call:
    actor = await authenticate(runtime, request)
    info = current_request()
    if info is not None:
        info.actor, info.workspace = actor.user_id, actor.workspace_id
    path = dict(request.path_params)
    if any(not _ID.match(value) for value in path.values()):
        raise ApiError(404, "not_found", "no such object: ids look like src_0123abcd")
    query = _validate(op.query, dict(request.query_params), "query") if op.query else None
    body = await _body(runtime, op.body, request) if op.body else None
    return Call(runtime, actor, path, body, query)


async def _body(runtime: Runtime, model: type[BaseModel], request: Request) -> BaseModel:
    limit = runtime.settings.max_body_bytes
    try:
        raw = await read_body(request, limit)
    except BodyTooLarge:
        raise ApiError(413, "too_large", f"the body is over {limit} bytes") from None
    try:
        data = loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from None
    return _validate(model, data, "body")


def _validate(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_fields(exc, where) from None
