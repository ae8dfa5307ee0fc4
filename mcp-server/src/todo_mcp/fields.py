"""The rules every task field obeys, on both faces: MCP tool arguments and REST bodies."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from todo_common.problems import InvalidField
from todo_common.text import Storable, storable
from todo_common.time_zones import parse_time_zone
from todo_mcp.recurrence import normalized

MAX_TAGS = 20
MAX_RULE_LENGTH = 200
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


def _as_utc(value: date | None) -> date | None:
    # An instant is kept in UTC (and must exist there); dates and wall times wait for their zone.
    if not isinstance(value, datetime) or value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range") from exc


def _due_date(value: object) -> object:
    # Only text (or a Python date): a bare number is not a date, whatever lax parsing thinks.
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date or date-time string")
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            "must be an ISO 8601 date (2025-03-31) or date-time (2025-03-31T17:00:00Z)"
        ) from exc


def _time_zone(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError("must be an IANA time zone name")
    try:
        return parse_time_zone(value).key
    except InvalidField as exc:
        raise ValueError(exc.errors[0].message if exc.errors else "unknown") from exc


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
    "description": "ISO 8601: a date (2025-03-31) for an all-day task, a date-time with offset "
    "(2025-03-31T17:00:00Z) for that instant, or without offset (2025-03-31T17:00) for that "
    "wall time in the task's time zone. An empty string means no due date.",
}
DueDate = Annotated[
    datetime | date | None,
    BeforeValidator(_due_date),
    AfterValidator(_as_utc),
    WithJsonSchema(DUE_DATE_SCHEMA),
]


def _recurrence(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be RRULE text such as FREQ=WEEKLY;BYDAY=MO")
    if len(value) > MAX_RULE_LENGTH:
        raise ValueError(f"must be at most {MAX_RULE_LENGTH} characters")
    return normalized(value) if value.strip() else ""


Recurrence = Annotated[
    str | None,
    BeforeValidator(_recurrence),
    Field(
        description="Repeat rule, RFC 5545 RRULE subset: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY, "
        "INTERVAL, BYDAY (weekly), BYMONTHDAY (monthly), UNTIL or COUNT; e.g. "
        "FREQ=WEEKLY;BYDAY=MO. Needs a due date. An empty string stops the repeat."
    ),
]
TimeZoneName = Annotated[
    str | None,
    BeforeValidator(_time_zone),
    Field(
        description="IANA time zone of the due date (e.g. Europe/Paris); it reads dates and "
        "wall times, and keeps 9:00 at 9:00 across daylight-saving changes."
    ),
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
