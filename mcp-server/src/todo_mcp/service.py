"""The task service: the one module both faces (MCP tools and REST) call. It flushes, never commits;
the caller's transaction decides."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from todo_common.db import utcnow
from todo_common.problems import InvalidField, NotFound
from todo_mcp.cursors import TaskCursors
from todo_mcp.due import DueInput, instant, resolve, wall_time, zone_named
from todo_mcp.models import Task, TaskCreate, TaskPublic, TaskReplace, TaskUpdate
from todo_mcp.recurrence import following
from todo_mcp.repository import DueWindow, TaskRepository, sort_value
from todo_mcp.schemas import TaskPage, TaskQuery

COPIED = ("title", "description", "priority")
"""What the next occurrence of a repeating task takes from this one (besides tags and rule)."""
_public_tasks = TypeAdapter(list[TaskPublic])
EDITABLE = (
    "title",
    "description",
    "completed",
    "priority",
    "due_date",
    "tags",
    "time_zone",
    "recurrence",
)


def _zone(named: str | None, default: ZoneInfo | None, task: Task | None = None) -> ZoneInfo:
    """The zone a due date is read in: the one named, the request's, the task's, or UTC."""
    if named is not None:
        return zone_named(named)
    if default is not None:
        return default
    return zone_named(task.time_zone if task is not None else None)


def _check_recurrence(fields: dict[str, object], task: Task | None = None) -> None:
    """A repeat needs a due date to repeat from (the new one, else the task's); an empty rule
    means none."""
    if fields.get("recurrence") == "":
        fields["recurrence"] = None
    rule = fields["recurrence"] if "recurrence" in fields else getattr(task, "recurrence", None)
    due = fields["due_date"] if "due_date" in fields else getattr(task, "due_date", None)
    if rule and due is None:
        raise InvalidField("body", "recurrence", "needs a due date to repeat from")


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
        _check_recurrence(fields)
        return await self.tasks.insert(Task(user_id=self.user_id, **fields))

    async def get(self, task_id: int, *, lock: bool = False) -> Task:
        """The caller's task, or TaskNotFound; `lock` for a task about to change."""
        task = await self.tasks.get(task_id, lock=lock)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def next_of(self, task: Task) -> Task | None:
        """The occurrence completing `task` created, if it still exists."""
        return await self.tasks.get(task.next_task_id) if task.next_task_id else None

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
        task = await self.get(task_id, lock=True)
        if "due_date" in fields:
            given = fields.pop("due_date")
            fields |= resolve(given, _zone(fields.pop("time_zone", None), zone, task)).columns()
        elif "time_zone" in fields:
            new_zone = _zone(fields.pop("time_zone"), None, task)
            if task.due_date is not None:
                local = wall_time(task.due_date, task.due_has_time, zone_named(task.time_zone))
                fields |= resolve(local, new_zone).columns()
        _check_recurrence(fields, task)
        return await self._apply(task, fields)

    async def replace(self, task_id: int, data: TaskReplace, zone: ZoneInfo | None = None) -> Task:
        """Set every editable field."""
        fields = data.model_dump(exclude={"time_zone"})
        fields |= resolve(data.due_date, _zone(data.time_zone, zone)).columns()
        _check_recurrence(fields)
        return await self._apply(await self.get(task_id, lock=True), fields)

    async def complete(self, task_id: int) -> Task:
        """Mark a task done; completing a completed task changes nothing."""
        task = await self.get(task_id, lock=True)
        return task if task.completed else await self._apply(task, {"completed": True})

    async def toggle(self, task_id: int) -> Task:
        """Flip a task between pending and completed."""
        task = await self.get(task_id, lock=True)
        return await self._apply(task, {"completed": not task.completed})

    async def delete(self, task_id: int) -> Task:
        """Remove a task; returns what it was."""
        task = await self.get(task_id, lock=True)
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
        completing = fields.get("completed") is True and not task.completed
        for name, value in fields.items():
            setattr(task, name, value)
        task.updated_at = utcnow()
        if completing:
            await self._create_next(task)
        await self.session.flush()
        return task

    async def _create_next(self, task: Task) -> None:
        """A repeating task just completed: create its next occurrence, unless an earlier
        completion did (the row is locked, so concurrent completions see each other)."""
        if not task.recurrence or task.due_date is None or task.next_task_id is not None:
            return
        zone = zone_named(task.time_zone)
        local = wall_time(task.due_date, task.due_has_time, zone)
        upcoming = following(task.recurrence, local, zone)
        if upcoming is None:
            return
        due, rule = upcoming
        values: dict[str, Any] = {name: getattr(task, name) for name in COPIED}
        values |= resolve(due, zone).columns()
        next_task = Task(user_id=self.user_id, tags=list(task.tags), recurrence=rule, **values)
        task.next_task_id = (await self.tasks.insert(next_task)).id
