"""Which scope each tool needs: the one table both the HTTP guard and the tools check."""

from collections.abc import Iterable

from todo_common.mcp_access import TASKS_READ, TASKS_WRITE

TOOL_SCOPES = {
    "list_tasks": TASKS_READ,
    "add_task": TASKS_WRITE,
    "update_task": TASKS_WRITE,
    "complete_task": TASKS_WRITE,
    "delete_task": TASKS_WRITE,
    "complete_tasks": TASKS_WRITE,
    "delete_tasks": TASKS_WRITE,
}


def missing_scope(tool: str, granted: Iterable[str]) -> str | None:
    """The scope `tool` needs and `granted` lacks, or None. A name not in the table is no tool of
    ours: the SDK answers it as unknown."""
    needed = TOOL_SCOPES.get(tool)
    return needed if needed is not None and needed not in granted else None
