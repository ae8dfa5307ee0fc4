"""REST for the web app: thin routes over the same task service the MCP tools call."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from todo_common.auth import PathOwner
from todo_common.db import SessionDep
from todo_common.problems import problem_responses
from todo_mcp.models import TaskCreate, TaskPublic, TaskReplace, TaskUpdate
from todo_mcp.schemas import TaskPage, TaskQuery
from todo_mcp.service import TaskService

router = APIRouter(
    prefix="/api/{user_id}/tasks",
    tags=["tasks"],
    responses=problem_responses(400, 401, 403, 422),
)
NOT_FOUND = problem_responses(404)


def task_service(owner: PathOwner, session: SessionDep) -> TaskService:
    """The path owner's task service, in the request's transaction."""
    return TaskService(session, owner.user_id)


Tasks = Annotated[TaskService, Depends(task_service)]


@router.get("")
async def list_tasks(tasks: Tasks, query: Annotated[TaskQuery, Query()]) -> TaskPage:
    """The user's tasks, filtered, sorted and paged like the `list_tasks` tool."""
    return await tasks.find(query)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_task(tasks: Tasks, body: TaskCreate) -> TaskPublic:
    """Add a task."""
    return TaskPublic.model_validate(await tasks.add(body))


@router.get("/{task_id}", responses=NOT_FOUND)
async def get_task(tasks: Tasks, task_id: int) -> TaskPublic:
    """One task."""
    return TaskPublic.model_validate(await tasks.get(task_id))


@router.put("/{task_id}", responses=NOT_FOUND)
async def replace_task(tasks: Tasks, task_id: int, body: TaskReplace) -> TaskPublic:
    """Replace every editable field; omitted optional fields are reset."""
    return TaskPublic.model_validate(await tasks.replace(task_id, body))


@router.patch("/{task_id}", responses=NOT_FOUND)
async def update_task(tasks: Tasks, task_id: int, body: TaskUpdate) -> TaskPublic:
    """Change the fields sent (at least one); null clears description or due_date."""
    return TaskPublic.model_validate(await tasks.update(task_id, body))


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(tasks: Tasks, task_id: int) -> Response:
    """Delete a task."""
    await tasks.delete(task_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/{task_id}/complete", responses=NOT_FOUND)
async def toggle_task(tasks: Tasks, task_id: int) -> TaskPublic:
    """Toggle completion: pending becomes completed, completed becomes pending."""
    return TaskPublic.model_validate(await tasks.toggle(task_id))
