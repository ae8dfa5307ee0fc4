"""The task listing's cursors, one kind per sort order: each holds the last task's sort value and
id, so a cursor made for one order is refused by another."""

from typing import Annotated, Any

from pydantic import AwareDatetime, Field, TypeAdapter

from todo_common.cursors import Cursors
from todo_common.text import PlainText
from todo_mcp.fields import SortKey, TaskId
from todo_mcp.repository import PRIORITY_RANK
from todo_mcp.settings import Settings

Rank = Annotated[int, Field(ge=min(PRIORITY_RANK.values()), le=max(PRIORITY_RANK.values()))]
Position = tuple[Any, int]
"""Where a page ends: the next one starts strictly after (sort value, task id)."""
POSITIONS: dict[SortKey, TypeAdapter[Position]] = {
    "created": TypeAdapter(tuple[AwareDatetime, TaskId]),
    "due_date": TypeAdapter(tuple[AwareDatetime | None, TaskId]),
    "priority": TypeAdapter(tuple[Rank, TaskId]),
    "title": TypeAdapter(tuple[PlainText, TaskId]),
}
TaskCursors = dict[SortKey, Cursors[Position]]


def listing(sort: SortKey) -> str:
    """The name the cursors of the listing in `sort` order are signed under."""
    return f"todo-mcp tasks by {sort}"


def task_cursors(settings: Settings) -> TaskCursors:
    """The cursors of each sort order, signed with this service's secret."""
    return {
        sort: Cursors(settings.cursor_secret, listing(sort), position)
        for sort, position in POSITIONS.items()
    }
