"""The task service: the one module both faces (MCP tools and REST) call. It flushes, never commits;
the caller's transaction decides."""

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from todo_common.db import utcnow
from todo_common.problems import InvalidField, NotFound
from todo_mcp.cursors import TaskCursors
from todo_mcp.models import Task, TaskCreate, TaskPublic, TaskReplace, TaskUpdate
from todo_mcp.repository import TaskRepository, sort_value
from todo_mcp.schemas import TaskPage, TaskQuery

_public_tasks = TypeAdapter(list[TaskPublic])
EDITABLE = ("title", "description", "completed", "priority", "due_date", "tags")


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

    async def add(self, data: TaskCreate) -> Task:
        """Create a task."""
        return await self.tasks.insert(Task(user_id=self.user_id, **data.model_dump()))

    async def get(self, task_id: int) -> Task:
        """The caller's task, or TaskNotFound."""
        task = await self.tasks.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def find(self, query: TaskQuery) -> TaskPage:
        """A page of the caller's tasks matching the query."""
        cursors = self.cursors[query.sort]
        after = cursors.decode(query.cursor) if query.cursor else None
        rows = await self.tasks.page(query, after)
        page, more = rows[: query.limit], len(rows) > query.limit
        next_cursor = None
        if more:
            last = page[-1]
            next_cursor = cursors.encode((sort_value(last, query.sort), last.id))
        tasks = _public_tasks.validate_python(page, from_attributes=True)
        return TaskPage(tasks=tasks, count=len(tasks), next_cursor=next_cursor)

    async def update(self, task_id: int, changes: TaskUpdate) -> Task:
        """Change the fields `changes` sets (at least one)."""
        fields = changes.model_dump(exclude_unset=True)
        if not fields:
            raise NothingToUpdate()
        return await self._apply(await self.get(task_id), fields)

    async def replace(self, task_id: int, data: TaskReplace) -> Task:
        """Set every editable field."""
        return await self._apply(await self.get(task_id), data.model_dump())

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

    async def _apply(self, task: Task, fields: dict[str, object]) -> Task:
        for name, value in fields.items():
            setattr(task, name, value)
        task.updated_at = utcnow()
        await self.session.flush()
        return task
