"""Wire types of the task listing and the tool results."""

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from todo_mcp.fields import (
    DueDate,
    Limit,
    NullInType,
    Priority,
    SearchText,
    SortKey,
    StatusFilter,
    Tag,
)
from todo_mcp.models import TaskPublic


def _absent_not_null(schema: dict[str, Any]) -> None:
    # A query parameter is left out, never null: document it as the plain type.
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])


QueryOptional = Field(json_schema_extra=_absent_not_null)


class TaskQuery(BaseModel):
    """Filters, order and page of a task listing (the `list_tasks` arguments)."""

    status: StatusFilter = "all"
    search: Annotated[SearchText | None, QueryOptional] = None
    priority: Annotated[Priority | None, QueryOptional] = None
    tag: Annotated[Tag | None, QueryOptional] = None
    due_after: Annotated[DueDate, QueryOptional] = None
    due_before: Annotated[DueDate, QueryOptional] = None
    overdue: Annotated[bool | None, QueryOptional] = None
    sort: SortKey = "created"
    limit: Limit = 50
    cursor: Annotated[str | None, QueryOptional] = None


def _task_schema_inline(schema: dict[str, Any]) -> None:
    # The task's schema in place of a $ref: a client checking a page resolves no reference per task.
    schema["properties"]["tasks"]["items"] = TaskPublic.model_json_schema(mode="serialization")


class TaskPage(BaseModel):
    """One page of tasks; pass `next_cursor` back as `cursor` for the next page (null at the end)."""

    model_config = ConfigDict(json_schema_extra=_task_schema_inline)
    tasks: list[TaskPublic]
    count: int = Field(description="Number of tasks on this page.")
    next_cursor: Annotated[str | None, NullInType] = None


class TaskAction(BaseModel):
    """What a task tool did, to which task."""

    task_id: int
    status: Literal["created", "completed", "deleted", "updated"]
    title: str
    next_task: TaskPublic | None = Field(
        default=None, description="complete_task on a repeating task: its next occurrence."
    )

    @model_serializer(mode="wrap")
    def _without_absent_next_task(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Present only when there is one: every other action keeps its three fields.
        data = handler(self)
        if isinstance(data, dict) and data.get("next_task") is None:
            data.pop("next_task", None)
        return data


class BulkAction(BaseModel):
    """What a bulk task tool did, to which tasks."""

    status: Literal["completed", "deleted"]
    count: int = Field(description="Number of tasks changed.")
    task_ids: list[int]
    next_tasks: list[TaskPublic] = Field(
        default_factory=list, description="The next occurrences that completing created."
    )
