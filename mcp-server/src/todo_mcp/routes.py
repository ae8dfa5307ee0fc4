"""REST for the web app: thin routes over the same task service the MCP tools call."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from todo_common.auth import PathOwner
from todo_common.db import SessionDep
from todo_common.problems import problem_responses
from todo_common.time_zones import UserTimeZone
from todo_mcp.fields import TaskId
from todo_mcp.idempotency import (
    KEY_HEADER,
    REPLAYED_HEADER,
    IdempotencyKey,
    IdempotencyService,
    Outcome,
    key_from_header,
    request_hash,
)
from todo_mcp.models import Task, TaskCreate, TaskPublic, TaskReplace, TaskUpdate
from todo_mcp.schemas import QueryOptional, TaskPage, TaskQuery
from todo_mcp.service import TaskService
from todo_mcp.settings import Settings

router = APIRouter(
    prefix="/api/{user_id}/tasks",
    tags=["tasks"],
    responses=problem_responses(400, 401, 403, 422),
)
NOT_FOUND = problem_responses(404)
TaskPathId = Annotated[TaskId, Path(description="The task's id (1 to 2^63 - 1).")]


def task_service(request: Request, owner: PathOwner, session: SessionDep) -> TaskService:
    """The path owner's task service, in the request's transaction."""
    return TaskService(session, owner.user_id, request.app.state.task_cursors)


Tasks = Annotated[TaskService, Depends(task_service)]

KEY_DESCRIPTION = (
    "Optional: makes this change once. 1-255 printable ASCII characters, as a structured-field "
    'string (`"8e03978e-40d5"`) or bare. A repeat with the same key and the same method, route '
    "and body, within IDEMPOTENCY_KEY_TTL_SECONDS (a day by default), gets the recorded status "
    f"and body with `{REPLAYED_HEADER}: true` and changes nothing; the same key with another "
    "request is 422. Only successful changes are recorded."
)
KeyHeader = Annotated[
    str | None, Header(alias=KEY_HEADER, description=KEY_DESCRIPTION), QueryOptional
]


class IdempotentChange:
    """A REST task change, made once per Idempotency-Key when the request has one."""

    def __init__(self, request: Request, tasks: TaskService, key: IdempotencyKey | None) -> None:
        self.request = request
        self.tasks = tasks
        self.key = key

    async def run(self, change: Callable[..., Awaitable[Task]], *arguments: Any) -> Any:
        """The task `change(*arguments)` returns; with a key, as the recorded response (the one an
        earlier request with this key got, if any)."""
        if self.key is None:
            return TaskPublic.model_validate(await change(*arguments))
        route = self.request.scope["route"]
        status_code = route.status_code or status.HTTP_200_OK

        async def record() -> Outcome:
            task = TaskPublic.model_validate(await change(*arguments))
            return Outcome(task.model_dump(mode="json"), status_code)

        settings: Settings = self.request.app.state.settings
        keys = IdempotencyService(
            self.tasks.session, self.tasks.user_id, settings.idempotency_key_ttl
        )
        scope = f"{self.request.method} {route.path}"
        outcome = await keys.run(self.key, request_hash(scope, *arguments), record)
        headers = {REPLAYED_HEADER: "true"} if outcome.replayed else None
        return JSONResponse(
            outcome.result, status_code=outcome.status_code or status_code, headers=headers
        )


def idempotent_change(request: Request, tasks: Tasks, key: KeyHeader = None) -> IdempotentChange:
    """The request's change, keyed by its Idempotency-Key header (an invalid one is 422)."""
    return IdempotentChange(request, tasks, key_from_header(key))


Idempotent = Annotated[IdempotentChange, Depends(idempotent_change)]


def idempotent_responses(status_code: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for a keyed change: the replay header on success, and 409 while a twin runs."""
    replayed: dict[str, Any] = {
        "description": "true when this is the recorded response of an earlier request",
        "schema": {"type": "string", "enum": ["true"]},
    }
    return {status_code: {"headers": {REPLAYED_HEADER: replayed}}, **problem_responses(409)}


@router.get("")
async def list_tasks(
    tasks: Tasks, query: Annotated[TaskQuery, Query()], zone: UserTimeZone
) -> TaskPage:
    """The user's tasks, filtered, sorted and paged like the `list_tasks` tool; `due_after` and
    `due_before` given as dates or wall times are read in the `X-Time-Zone`."""
    return await tasks.find(query, zone)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskPublic,
    responses=idempotent_responses(201),
)
async def create_task(tasks: Tasks, body: TaskCreate, once: Idempotent, zone: UserTimeZone) -> Any:
    """Add a task; without `time_zone` its due date is read in the `X-Time-Zone` (UTC without)."""
    return await once.run(tasks.add, body, zone)


@router.get("/{task_id}", responses=NOT_FOUND)
async def get_task(tasks: Tasks, task_id: TaskPathId) -> TaskPublic:
    """One task."""
    return TaskPublic.model_validate(await tasks.get(task_id))


@router.put("/{task_id}", responses=NOT_FOUND)
async def replace_task(
    tasks: Tasks, task_id: TaskPathId, body: TaskReplace, zone: UserTimeZone
) -> TaskPublic:
    """Replace every editable field; omitted optional fields are reset."""
    return TaskPublic.model_validate(await tasks.replace(task_id, body, zone))


@router.patch(
    "/{task_id}", response_model=TaskPublic, responses=NOT_FOUND | idempotent_responses(200)
)
async def update_task(
    tasks: Tasks, task_id: TaskPathId, body: TaskUpdate, once: Idempotent, zone: UserTimeZone
) -> Any:
    """Change the fields sent (at least one); null clears description or due_date. A new due date
    without `time_zone` is read in the `X-Time-Zone`."""
    return await once.run(tasks.update, task_id, body, zone)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(tasks: Tasks, task_id: TaskPathId) -> Response:
    """Delete a task."""
    await tasks.delete(task_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch(
    "/{task_id}/complete",
    response_model=TaskPublic,
    responses=NOT_FOUND | idempotent_responses(200),
)
async def toggle_task(tasks: Tasks, task_id: TaskPathId, once: Idempotent) -> Any:
    """Toggle completion: pending becomes completed, completed becomes pending. Send an
    Idempotency-Key to make a retried toggle safe."""
    return await once.run(tasks.toggle, task_id)
