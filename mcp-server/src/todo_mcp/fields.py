"""The rules every task field obeys, on both faces: MCP tool arguments and REST bodies."""

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from todo_common.text import Storable, storable

MAX_TAGS = 20
MAX_TASK_ID = 2**63 - 1
"""Task ids are PostgreSQL bigints: a larger (or non-positive) id can name no task."""


def _null_in_type(schema: dict[str, Any]) -> None:
    options = schema.get("anyOf", [])
    kinds = [option for option in options if option.get("type") != "null"]
    if len(options) == 2 and len(kinds) == 1 and isinstance(kinds[0].get("type"), str):
        schema.pop("anyOf")
        schema.update(kinds[0], type=[kinds[0]["type"], "null"])


# `X | None` published as one schema with a type list, not pydantic's anyOf of two: the same
# values, and cheaper to check for clients that validate every result (the MCP client does).
NullInType = Field(json_schema_extra=_null_in_type)


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range") from exc


def _due_date(value: object) -> object:
    # Only text (or a Python date): a bare number is not a date, whatever lax parsing thinks.
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date or date-time string")
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(
            "must be an ISO 8601 date (2025-03-31) or date-time (2025-03-31T17:00:00Z)"
        ) from exc


def _unique_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


Title = Annotated[
    str,
    Field(min_length=1, max_length=200, description="Short title, 1-200 characters."),
    BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
    Storable,
]
Description = Annotated[
    str | None,
    Field(max_length=1000, description="Optional details, up to 1000 characters."),
    BeforeValidator(_blank_is_none),
    AfterValidator(lambda v: None if v is None else storable(v)),
]
Priority = Literal["low", "medium", "high"]
DUE_DATE_SCHEMA = {
    "anyOf": [{"type": "string"}, {"type": "null"}],
    "description": "ISO 8601 date (2025-03-31) or date-time (2025-03-31T17:00:00Z); a date "
    "without a time means midnight UTC. An empty string means no due date.",
}
DueDate = Annotated[
    datetime | None,
    BeforeValidator(_due_date),
    AfterValidator(_as_utc),
    WithJsonSchema(DUE_DATE_SCHEMA),
]
Tag = Annotated[
    str,
    BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
    Field(min_length=1, max_length=50),
    Storable,
]
Tags = Annotated[
    list[Tag],
    Field(
        max_length=MAX_TAGS, description="Labels such as 'work' or 'home', each 1-50 characters."
    ),
    AfterValidator(_unique_tags),
]
SearchText = Annotated[str, Field(max_length=200), Storable]
StatusFilter = Literal["all", "pending", "completed"]
SortKey = Literal["created", "due_date", "priority", "title"]
Limit = Annotated[int, Field(ge=1, le=100)]
TaskId = Annotated[int, Field(ge=1, le=MAX_TASK_ID)]
