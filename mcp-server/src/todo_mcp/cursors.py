"""Opaque keyset cursors for task listings: the sort order, the last row's sort key, its id."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from todo_common.problems import FieldError, InvalidInput
from todo_mcp.fields import SortKey

SortValue = datetime | str | int | None


@dataclass(frozen=True)
class Keyset:
    """Where a page ends: the listing resumes strictly after (value, task_id) in `sort` order."""

    sort: SortKey
    value: SortValue
    task_id: int


def encode(keyset: Keyset) -> str:
    """The opaque cursor for this keyset."""
    value = keyset.value.isoformat() if isinstance(keyset.value, datetime) else keyset.value
    raw = json.dumps([keyset.sort, value, keyset.task_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, sort: SortKey) -> Keyset:
    """The keyset behind a cursor issued for `sort`; anything else is invalid input naming `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        issued_for, value, task_id = json.loads(base64.urlsafe_b64decode(padded))
        if issued_for != sort or type(task_id) is not int:
            raise ValueError("not a cursor for this sort order")
        return Keyset(sort, _sort_value(sort, value), task_id)
    except (ValueError, TypeError) as exc:  # binascii and JSON errors subclass ValueError
        raise InvalidInput(
            "cursor: not a cursor issued for this listing and sort order.",
            errors=[FieldError(location="query", field="cursor", message="invalid cursor")],
        ) from exc


def _sort_value(sort: SortKey, value: object) -> SortValue:
    if sort == "priority" and type(value) is int:
        return value
    if sort == "title" and isinstance(value, str):
        return value
    if sort == "due_date" and value is None:
        return None
    if sort in ("created", "due_date") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            return moment
    raise ValueError("malformed cursor value")
