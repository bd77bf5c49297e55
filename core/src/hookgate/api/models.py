"""Base models and field types shared by the resource modules.

Field names are the CLI flags in snake_case. String fields carry their length
limits and refuse control characters in the schema itself, so a client (or a
fuzzer) learns the rules from the OpenAPI document and odd bytes never reach
the database.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

#: One line of text: no control characters.
_LINE = r"^[^\x00-\x1f\x7f]*$"
#: Free text (filters, descriptions): newlines and tabs allowed, no NUL or other controls.
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_LINE)]
Word = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_LINE)]
Ident = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
]
Text = Annotated[str, StringConstraints(max_length=65_536, pattern=_TEXT)]
Secret = Annotated[str, StringConstraints(min_length=16, max_length=500, pattern=_LINE)]


def _no_nul(value: Any) -> Any:
    """Refuse NUL anywhere in a JSON value: PostgreSQL cannot store it in text or JSONB."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


#: Free-form JSON settings that may be stored (a source's provider settings).
Settings = Annotated[dict[str, Any], AfterValidator(_no_nul)]


class Input(BaseModel):
    """A request body: unknown fields are refused, so a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    """Query parameters: unknown ones are ignored (proxies and browsers add some)."""

    model_config = ConfigDict(extra="ignore")


class Output(BaseModel):
    """A response body: every field is always present (``null`` when empty)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


T = TypeVar("T", bound=BaseModel)


class Page(Output, Generic[T]):
    """A list answer; ``items`` are newest first unless said otherwise."""

    items: list[T]


class LimitQuery(Query):
    limit: int = Field(default=50, ge=1, le=1000, description="How many items at most.")
