"""The MCP server: the task tools over the task service, for the signed-in user only."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult, InputRequiredResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, StrictBool, ValidationError, WithJsonSchema
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from todo_common.db import AUTOCOMMIT
from todo_common.mcp_meta import RETRYABLE
from todo_common.problems import ProblemError, database_unavailable, describe, field_errors
from todo_mcp.auth import JwtTokenVerifier, current_token, current_user_id
from todo_mcp.cursors import TaskCursors, task_cursors
from todo_mcp.due import zone_named
from todo_mcp.fields import (
    DUE_DATE_SCHEMA,
    Description,
    DueDate,
    Limit,
    Priority,
    Recurrence,
    SearchText,
    SortKey,
    StatusFilter,
    Tag,
    Tags,
    TaskId,
    TimeZoneName,
    Title,
)
from todo_mcp.idempotency import IdempotencyService, Outcome, key_from_meta, request_hash
from todo_mcp.models import TaskCreate, TaskPublic, TaskUpdate
from todo_mcp.schemas import BulkAction, TaskAction, TaskPage, TaskQuery
from todo_mcp.scopes import TOOL_SCOPES, missing_scope
from todo_mcp.service import TaskService
from todo_mcp.settings import Settings

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", TaskAction, BulkAction)
BULK_TOOLS = ("complete_tasks", "delete_tasks")
Sessions = Callable[[], async_sessionmaker[AsyncSession]]
# Strict: `true` or 1.5 is not a task id (lax parsing would read them as 1).
TaskIdArgument = Annotated[
    TaskId, Field(strict=True, description="The task's id, as list_tasks shows it.")
]

BOUND_SCHEMA = {
    "anyOf": [{"type": "string"}, {"type": "null"}],
    "description": "ISO 8601 date-time with offset, or a date or wall time in `time_zone`.",
}
NOTHING_CHANGED = (
    "The task store is temporarily unavailable; nothing was changed. Try again in a few seconds."
)
MAYBE_CHANGED = (
    "The task store became unavailable while saving; the change may or may not have been made. "
    "Check with list_tasks before trying again."
)
logger = logging.getLogger("todo.errors")

INSTRUCTIONS = """Manage the signed-in user's todo list. Tasks have an integer id, a title, an
optional description, a priority (low, medium, high), an optional due date (a date, or a
date-time kept with its IANA time zone) and tags. Pass the user's time_zone when dates are given
or asked about. To act on a
task the user names by title, call list_tasks with `search` first and use the id it returns; if
several tasks match, ask the user which one."""


class TaskServer(MCPServer):
    """An MCPServer that knows where its database sessions come from, how long keys last and
    what signs its cursors."""

    def __init__(
        self, sessions: Sessions, key_ttl: timedelta, cursors: TaskCursors, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.sessions = sessions
        self.key_ttl = key_ttl
        self.cursors = cursors

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context | None = None
    ) -> CallToolResult | InputRequiredResult:
        """Every `tools/call`: arguments that do not fit the tool's schema are an error naming each
        one; a call the database could not serve ends in an error result marked retryable in its
        `_meta` (a `ToolError` cannot carry one). A token without the tool's scope is refused
        here too: over stdio nothing else checks it."""
        if (needed := missing_scope(name, current_token().scopes)) is not None:
            raise ToolError(f"{name} needs the {needed} scope, which this token does not grant.")
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            invalid = exc.__cause__
            if isinstance(invalid, ValidationError) and not isinstance(exc, UnexpectedToolError):
                raise invalid_arguments(name, invalid) from invalid
            if (outage := database_unavailable(exc)) is None:
                raise
            logger.warning("database unavailable in tool %s: %s", name, outage.reason)
            text = MAYBE_CHANGED if outage.outcome_unknown else NOTHING_CHANGED
            content = [TextContent(type="text", text=text)]
            return CallToolResult(content=content, is_error=True, _meta={RETRYABLE: True})


def task_server(ctx: Context) -> TaskServer:
    """The server running this tool call."""
    server = ctx.mcp_server
    assert isinstance(server, TaskServer)
    return server


@asynccontextmanager
async def task_service(ctx: Context, *, one_statement: bool = False) -> AsyncIterator[TaskService]:
    """The caller's task service in a transaction committed on success; domain errors → tool
    errors. `one_statement` work is atomic by itself and skips the BEGIN/COMMIT round trips."""
    user_id = current_user_id()
    server = task_server(ctx)
    async with server.sessions()() as session:
        if one_statement:
            await session.connection(execution_options=AUTOCOMMIT)
        try:
            yield TaskService(session, user_id, server.cursors)
        except ProblemError as exc:
            raise ToolError(str(exc)) from exc
        await session.commit()


async def run_change(
    ctx: Context,
    tool: str,
    change: Callable[..., Awaitable[R]],
    *arguments: Any,
    one_statement: bool = False,
) -> R:
    """`change(tasks, *arguments)`, made once per idempotency key when the call's `_meta` has one:
    a repeat of the same tool and arguments gets the recorded result."""
    try:
        key = key_from_meta(ctx.request_context.meta)
    except ProblemError as exc:
        raise ToolError(str(exc)) from exc
    if key is None:
        async with task_service(ctx, one_statement=one_statement) as tasks:
            return await change(tasks, *arguments)
    # The key is recorded with the change, so even a one-statement change needs a transaction.
    async with task_service(ctx) as tasks:

        async def record() -> Outcome:
            return Outcome((await change(tasks, *arguments)).model_dump(mode="json"))

        keys = IdempotencyService(tasks.session, tasks.user_id, task_server(ctx).key_ttl)
        outcome = await keys.run(key, request_hash(f"tool {tool}", *arguments), record)
    result_type: type[R] = BulkAction if tool in BULK_TOOLS else TaskAction  # type: ignore[assignment]
    return result_type.model_validate(outcome.result)


def invalid_arguments(tool: str, exc: ValidationError) -> ToolError:
    """The tool error for arguments the tool's schema refuses: each argument and what is wrong
    (pydantic's own text would echo the values back)."""
    problems = describe(field_errors(exc.errors(), "arguments"))
    return ToolError(f"Error executing tool {tool}: Invalid arguments: {problems}")


def validated(model: type[M], **arguments: Any) -> M:
    """`model` built from tool arguments; invalid ones become a tool error naming each field."""
    try:
        return model.model_validate(arguments)
    except ValidationError as exc:
        problems = describe(field_errors(exc.errors(), "arguments"))
        raise ToolError(f"Invalid arguments: {problems}") from exc


async def add_task(
    title: Title,
    ctx: Context,
    description: Description = None,
    priority: Annotated[Priority, Field(description="How important it is.")] = "medium",
    due_date: DueDate = None,
    tags: Tags | None = None,
    time_zone: TimeZoneName = None,
    recurrence: Recurrence = None,
) -> TaskAction:
    """Add a new task to the user's todo list. Use a short imperative title ("Buy groceries");
    put any extra detail in `description`. Give the user's `time_zone` with a due date: a date
    or a time without offset is read there (UTC without one)."""
    data = validated(
        TaskCreate,
        title=title,
        description=description,
        priority=priority,
        due_date=due_date,
        tags=tags or [],
        time_zone=time_zone,
        recurrence=recurrence,
    )
    return await run_change(ctx, "add_task", _add, data, one_statement=True)


async def _add(tasks: TaskService, data: TaskCreate) -> TaskAction:
    task = await tasks.add(data)
    return TaskAction(task_id=task.id or 0, status="created", title=task.title)


async def list_tasks(
    ctx: Context,
    status: Annotated[
        StatusFilter, Field(description="all, pending (not done) or completed.")
    ] = "all",
    search: Annotated[
        SearchText | None,
        Field(description="Only tasks whose title or description contains this text."),
    ] = None,
    priority: Annotated[Priority | None, Field(description="Only tasks of this priority.")] = None,
    tag: Annotated[Tag | None, Field(description="Only tasks carrying this tag.")] = None,
    due_after: Annotated[
        str | None,
        WithJsonSchema(
            {**BOUND_SCHEMA, "description": "Only tasks due at or after this moment or date."}
        ),
    ] = None,
    due_before: Annotated[
        str | None,
        WithJsonSchema(
            {**BOUND_SCHEMA, "description": "Only tasks due before this moment or date."}
        ),
    ] = None,
    overdue: Annotated[
        StrictBool | None,
        Field(description="true: only pending tasks past their due moment; false: all others."),
    ] = None,
    time_zone: Annotated[
        TimeZoneName, Field(description="The user's IANA time zone, to read due_after/due_before.")
    ] = None,
    sort: Annotated[
        SortKey,
        Field(
            description="created (oldest first), due_date (soonest first, undated last), "
            "priority (high first) or title (A-Z)."
        ),
    ] = "created",
    limit: Annotated[Limit, Field(strict=True, description="Page size, 1-100.")] = 50,
    cursor: Annotated[
        str | None, Field(description="next_cursor from the previous page, to continue.")
    ] = None,
) -> TaskPage:
    """List the user's tasks, optionally filtered, sorted and paged. Each task has its id, which
    the other tools take, and its due moment in UTC (due_date) and in its zone (due_local). When
    next_cursor is not null, more tasks follow."""
    query = validated(
        TaskQuery,
        status=status,
        search=search,
        priority=priority,
        tag=tag,
        due_after=due_after,
        due_before=due_before,
        overdue=overdue,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    zone = zone_named(time_zone) if time_zone else None
    async with task_service(ctx, one_statement=True) as tasks:
        return await tasks.find(query, zone)


async def complete_task(task_id: TaskIdArgument, ctx: Context) -> TaskAction:
    """Mark a task as done. Completing a task that is already done is harmless. A repeating
    task gets its next occurrence (once), returned as next_task."""
    return await run_change(ctx, "complete_task", _complete, task_id)


async def _complete(tasks: TaskService, task_id: int) -> TaskAction:
    task = await tasks.complete(task_id)
    following = await tasks.next_of(task)
    next_task = TaskPublic.model_validate(following) if following else None
    return TaskAction(task_id=task_id, status="completed", title=task.title, next_task=next_task)


async def delete_task(task_id: TaskIdArgument, ctx: Context) -> TaskAction:
    """Delete a task permanently."""
    return await run_change(ctx, "delete_task", _delete, task_id)


async def _delete(tasks: TaskService, task_id: int) -> TaskAction:
    task = await tasks.delete(task_id)
    return TaskAction(task_id=task_id, status="deleted", title=task.title)


async def update_task(
    task_id: TaskIdArgument,
    ctx: Context,
    title: Title | None = None,
    description: Annotated[
        str | None,
        Field(max_length=1000, description="New details; an empty string removes them."),
    ] = None,
    completed: Annotated[
        StrictBool | None, Field(description="true marks it done, false reopens it.")
    ] = None,
    priority: Annotated[Priority | None, Field(description="New priority.")] = None,
    due_date: Annotated[str | None, WithJsonSchema(DUE_DATE_SCHEMA)] = None,
    tags: Annotated[
        Tags | None, Field(description="Replaces all tags; an empty list removes them.")
    ] = None,
    time_zone: TimeZoneName = None,
    recurrence: Recurrence = None,
) -> TaskAction:
    """Change a task: give its id and only the fields to change (at least one). An empty string
    clears description or due_date. A new due date is read in `time_zone`, else the task's zone;
    a new `time_zone` alone keeps the local date or time in the new zone."""
    given = {
        "title": title,
        "description": description,
        "completed": completed,
        "priority": priority,
        "due_date": due_date,
        "tags": tags,
        "time_zone": time_zone,
        "recurrence": recurrence,
    }
    changes = validated(TaskUpdate, **{k: v for k, v in given.items() if v is not None})
    return await run_change(ctx, "update_task", _update, task_id, changes)


async def _update(tasks: TaskService, task_id: int, changes: TaskUpdate) -> TaskAction:
    task = await tasks.update(task_id, changes)
    return TaskAction(task_id=task_id, status="updated", title=task.title)


TaskIds = Annotated[
    list[Annotated[TaskId, Field(strict=True)]],
    Field(min_length=1, max_length=100, description="Task ids, as list_tasks shows them."),
]


async def complete_tasks(task_ids: TaskIds, ctx: Context) -> BulkAction:
    """Mark several tasks as done at once (all or none: an unknown id changes nothing)."""
    return await run_change(ctx, "complete_tasks", _complete_many, _unique(task_ids))


async def _complete_many(tasks: TaskService, task_ids: list[int]) -> BulkAction:
    done = await tasks.complete_many(task_ids)
    following = [found for task in done if (found := await tasks.next_of(task)) is not None]
    return BulkAction(
        status="completed",
        count=len(done),
        task_ids=[t.id or 0 for t in done],
        next_tasks=[TaskPublic.model_validate(task) for task in following],
    )


async def delete_tasks(
    ctx: Context,
    task_ids: Annotated[TaskIds | None, Field(description="The tasks to delete.")] = None,
    completed: Annotated[
        StrictBool | None,
        Field(
            description="Instead of ids: true deletes every completed task, false every pending."
        ),
    ] = None,
) -> BulkAction:
    """Delete several tasks permanently: give either `task_ids` or `completed`, not both (all or
    none: an unknown id deletes nothing)."""
    if (task_ids is None) == (completed is None):
        raise ToolError("Invalid arguments: task_ids: give either task_ids or completed, not both")
    ids = _unique(task_ids) if task_ids is not None else None
    return await run_change(ctx, "delete_tasks", _delete_many, ids, completed)


async def _delete_many(
    tasks: TaskService, task_ids: list[int] | None, completed: bool | None
) -> BulkAction:
    gone = await tasks.delete_many(task_ids, completed)
    return BulkAction(status="deleted", count=len(gone), task_ids=[t.id or 0 for t in gone])


def _unique(task_ids: list[int]) -> list[int]:
    return list(dict.fromkeys(task_ids))


TOOLS: dict[Callable[..., Awaitable[BaseModel]], str] = {
    add_task: "Add task",
    list_tasks: "List tasks",
    complete_task: "Complete task",
    delete_task: "Delete task",
    update_task: "Update task",
    complete_tasks: "Complete tasks",
    delete_tasks: "Delete tasks",
}
_WRITE = {"read_only_hint": False, "open_world_hint": False}
ANNOTATIONS = {
    "add_task": ToolAnnotations(**_WRITE, destructive_hint=False, idempotent_hint=False),
    "list_tasks": ToolAnnotations(read_only_hint=True, open_world_hint=False),
    "complete_task": ToolAnnotations(**_WRITE, destructive_hint=False, idempotent_hint=True),
    "delete_task": ToolAnnotations(**_WRITE, destructive_hint=True, idempotent_hint=True),
    "update_task": ToolAnnotations(**_WRITE, destructive_hint=False, idempotent_hint=True),
    "complete_tasks": ToolAnnotations(**_WRITE, destructive_hint=False, idempotent_hint=True),
    "delete_tasks": ToolAnnotations(**_WRITE, destructive_hint=True, idempotent_hint=True),
}


def create_mcp_server(
    sessions: Sessions, settings: Settings, verifier: JwtTokenVerifier | None = None
) -> TaskServer:
    """The task tools; with a verifier, every HTTP request must carry a valid bearer token."""
    auth = None
    if verifier is not None:
        # The verifier checks the audience itself (a token may name several), so the SDK's
        # single-resource comparison stays off.
        auth = AuthSettings(
            issuer_url=settings.authorization_server,
            resource_server_url=settings.resource_url,
            validate_token_resource=False,
        )
    server = TaskServer(
        sessions,
        settings.idempotency_key_ttl,
        task_cursors(settings),
        name="todo-mcp",
        version="0.1.0",
        instructions=" ".join(INSTRUCTIONS.split()),
        token_verifier=verifier,
        auth=auth,
    )
    for tool, title in TOOLS.items():
        assert tool.__name__ in TOOL_SCOPES, f"{tool.__name__} has no scope in TOOL_SCOPES"
        description = " ".join((tool.__doc__ or "").split())
        server.add_tool(
            tool, title=title, description=description, annotations=ANNOTATIONS[tool.__name__]
        )
    return server
