"""The task service: the one module both faces (MCP tools and REST) call. It flushes, never commits;
the caller's transaction decides."""

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from todo_common.db import utcnow
from todo_common.problems import InvalidField, NotFound
from todo_mcp.cursors import TaskCursors
from todo_mcp.due import DueInput, instant, resolve, wall_time, zone_named
from todo_mcp.models import Task, TaskCreate, TaskPublic, TaskReplace, TaskUpdate
from todo_mcp.repository import DueWindow, TaskRepository, sort_value
from todo_mcp.schemas import TaskPage, TaskQuery

_public_tasks = TypeAdapter(list[TaskPublic])
EDITABLE = ("title", "description", "completed", "priority", "due_date", "tags", "time_zone")


def _zone(named: str | None, default: ZoneInfo | None, task: Task | None = None) -> ZoneInfo:
    """The zone a due date is read in: the one named, the request's, the task's, or UTC."""
    if named is not None:
        return zone_named(named)
    if default is not None:
        return default
    return zone_named(task.time_zone if task is not None else None)


def _bound(value: DueInput | None, zone: ZoneInfo | None, field: str) -> datetime | None:
    """A listing's due bound as an instant (a date is its local midnight)."""
    if value is None:
        return None
    try:
        return instant(value, zone or zone_named(None))
    except ValueError as exc:
        raise InvalidField("query", field, "is out of range") from exc


class TaskNotFound(NotFound):
    """No task with this id belongs to the caller (it may not exist, or be someone else's)."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} not found")
        self.task_id = task_id


class NothingToUpdate(InvalidField):
    """An update that names no field."""

    def __init__(self) -> None:
        detail = f"Give at least one of: {', '.join(EDITABLE)}."
        super().__init__("body", "body", "no field to update", detail=detail)


class TaskService:
    """The caller's tasks; `user_id` is always the verified token's subject."""

    def __init__(self, session: AsyncSession, user_id: str, cursors: TaskCursors) -> None:
        self.session = session
        self.tasks = TaskRepository(session, user_id)
        self.user_id = user_id
        self.cursors = cursors

    async def add(self, data: TaskCreate, zone: ZoneInfo | None = None) -> Task:
        """Create a task; its due date is read in its `time_zone`, else `zone`, else UTC."""
        fields = data.model_dump(exclude={"time_zone"})
        fields |= resolve(data.due_date, _zone(data.time_zone, zone)).columns()
        return await self.tasks.insert(Task(user_id=self.user_id, **fields))

    async def get(self, task_id: int) -> Task:
        """The caller's task, or TaskNotFound."""
        task = await self.tasks.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def find(self, query: TaskQuery, zone: ZoneInfo | None = None) -> TaskPage:
        """A page of the caller's tasks matching the query; due bounds given as dates or wall
        times are read in `zone` (UTC without one)."""
        cursors = self.cursors[query.sort]
        after = cursors.decode(query.cursor) if query.cursor else None
        window = DueWindow(
            after=_bound(query.due_after, zone, "due_after"),
            before=_bound(query.due_before, zone, "due_before"),
            overdue=query.overdue,
            now=utcnow(),
        )
        rows = await self.tasks.page(query, after, window)
        page, more = rows[: query.limit], len(rows) > query.limit
        next_cursor = None
        if more:
            last = page[-1]
            next_cursor = cursors.encode((sort_value(last, query.sort), last.id))
        tasks = _public_tasks.validate_python(page, from_attributes=True)
        return TaskPage(tasks=tasks, count=len(tasks), next_cursor=next_cursor)

    async def update(self, task_id: int, changes: TaskUpdate, zone: ZoneInfo | None = None) -> Task:
        """Change the fields `changes` sets (at least one). A new due date is read in the new
        `time_zone`, else `zone`, else the task's own; a new zone alone keeps the local due
        date or wall time, now in that zone."""
        fields = changes.model_dump(exclude_unset=True)
        if not fields:
            raise NothingToUpdate()
        task = await self.get(task_id)
        if "due_date" in fields:
            given = fields.pop("due_date")
            fields |= resolve(given, _zone(fields.pop("time_zone", None), zone, task)).columns()
        elif "time_zone" in fields:
            new_zone = _zone(fields.pop("time_zone"), None, task)
            if task.due_date is not None:
                local = wall_time(task.due_date, task.due_has_time, zone_named(task.time_zone))
                fields |= resolve(local, new_zone).columns()
        return await self._apply(task, fields)

    async def replace(self, task_id: int, data: TaskReplace, zone: ZoneInfo | None = None) -> Task:
        """Set every editable field."""
        fields = data.model_dump(exclude={"time_zone"})
        fields |= resolve(data.due_date, _zone(data.time_zone, zone)).columns()
        return await self._apply(await self.get(task_id), fields)

    async def complete(self, task_id: int) -> Task:
        """Mark a task done; completing a completed task changes nothing."""
        task = await self.get(task_id)
        return task if task.completed else await self._apply(task, {"completed": True})

    async def toggle(self, task_id: int) -> Task:
        """Flip a task between pending and completed."""
        task = await self.get(task_id)
        return await self._apply(task, {"completed": not task.completed})

    async def delete(self, task_id: int) -> Task:
        """Remove a task; returns what it was."""
        task = await self.get(task_id)
        await self.tasks.delete(task)
        await self.session.flush()
        return task

    async def selected(self, task_ids: list[int] | None, completed: bool | None) -> list[Task]:
        """The caller's tasks with these ids (all of them, else TaskNotFound for the first one
        missing) or, without ids, every task with that completion status."""
        if task_ids is None:
            return list(await self.tasks.with_status(bool(completed)))
        found = {task.id: task for task in await self.tasks.with_ids(task_ids)}
        for task_id in task_ids:
            if task_id not in found:
                raise TaskNotFound(task_id)
        return [found[task_id] for task_id in task_ids]

    async def delete_many(self, task_ids: list[int] | None, completed: bool | None) -> list[Task]:
        """Remove the selected tasks (see `selected`) at once; returns what they were."""
        tasks = await self.selected(task_ids, completed)
        for task in tasks:
            await self.tasks.delete(task)
        await self.session.flush()
        return tasks

    async def complete_many(self, task_ids: list[int]) -> list[Task]:
        """Mark the given tasks done, all or none (TaskNotFound for an id not the caller's)."""
        return [
            task if task.completed else await self._apply(task, {"completed": True})
            for task in await self.selected(task_ids, None)
        ]

    async def _apply(self, task: Task, fields: dict[str, object]) -> Task:
        for name, value in fields.items():
            setattr(task, name, value)
        task.updated_at = utcnow()
        await self.session.flush()
        return task
