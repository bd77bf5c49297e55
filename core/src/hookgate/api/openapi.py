"""The OpenAPI 3.1 document, generated from the operations and their pydantic models.

Pydantic writes JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect,
so the models' schemas go into ``components/schemas`` unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaValue, models_json_schema

from hookgate.api.errors import ERROR_STATUSES, ErrorBody
from hookgate.api.router import ID_PATTERN, Operation

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
Mode = Literal["validation", "serialization"]
#: (model, mode) → its ``$ref``
Refs = Mapping[Any, JsonSchemaValue]

DESCRIPTION = """\
The admin API of hookgate. Authenticate with `Authorization: Bearer <API key>`
(an admin makes keys with `hookgate keys create --user USER`).

Errors are `{"error": {"code", "message", "details"}}`. An id that is unknown,
in another workspace, or (for triggers and runs) not yours answers 404.
"""


def _models(operations: list[Operation]) -> list[tuple[type[BaseModel], Mode]]:
    pairs: dict[tuple[type[BaseModel], Mode], None] = {(ErrorBody, "serialization"): None}
    for op in operations:
        for model in (op.body, op.query):
            if model is not None:
                pairs[(model, "validation")] = None
        if op.response is not None:
            pairs[(op.response, "serialization")] = None
    return list(pairs)


def document(operations: list[Operation], *, version: str) -> dict[str, Any]:
    """The whole document: every operation, plus this document's own route."""
    found, defs = models_json_schema(_models(operations), ref_template=REF)
    refs: Refs = dict(found)
    schemas: dict[str, Any] = defs.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        item = _operation(op, refs, schemas)
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = item
    paths[PREFIX + "/openapi.json"] = {"get": _self_operation()}
    for op in operations:  # query models became parameters; they are no body schemas
        if op.query is not None:
            schemas.pop(refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1], None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "hookgate admin API", "version": version, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key."}
            },
        },
    }


def _operation(
    op: Operation,
    refs: Refs,
    schemas: dict[str, Any],
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.path.strip("/").split("/")[0]],
        "security": [{"apiKey": []}],
        "parameters": _parameters(op, refs, schemas),
        "responses": _responses(op, refs),
    }
    if op.description:
        item["description"] = op.description
    if op.body is not None:
        item["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return item


def _parameters(
    op: Operation,
    refs: Refs,
    schemas: dict[str, Any],
) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    if "{id}" in op.path:
        params.append(
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": ID_PATTERN},
            }
        )
    if op.query is not None:
        name = refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1]
        for field, schema in schemas[name].get("properties", {}).items():
            param: dict[str, Any] = {"name": field, "in": "query", "required": False}
            description = schema.get("description")
            param["schema"] = {k: v for k, v in schema.items() if k not in ("description", "title")}
            if description:
                param["description"] = description
            params.append(param)
    return params


def _responses(op: Operation, refs: Refs) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if op.response is None:
        responses[str(op.status)] = {"description": "Done; no content."}
    else:
        schema = refs[(op.response, "serialization")]
        responses[str(op.status)] = {
            "description": "Success.",
            "content": {"application/json": {"schema": schema}},
        }
    error = refs[(ErrorBody, "serialization")]
    for status in op.error_statuses():
        responses[str(status)] = {
            "description": ERROR_STATUSES[status],
            "content": {"application/json": {"schema": error}},
        }
    return responses


def _self_operation() -> dict[str, Any]:
    return {
        "operationId": "openapi",
        "summary": "This document",
        "tags": ["meta"],
        "security": [],
        "responses": {
            "200": {
                "description": "The OpenAPI 3.1 document.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    }
