"""Consent for destructive and bulk task changes: the agent's run pauses before `delete_task`,
`delete_tasks` or `complete_tasks` (the Agents SDK's tool approval), the paused run is parked in
history-service (so any gateway replica resumes it) and the user approves or rejects it: REST
`POST /api/{user}/chat/approvals/{id}`, or the confirm/cancel card's ChatKit custom action.

The paused turn's answer asks the question and carries the approval (`pending_of`), so a retried
message, a reloaded thread and the decision all find it. Approved, the run resumes from its parked
state and the tool runs once (its idempotency key derives from the user message, so a resumed
retry changes nothing twice); rejected, nothing runs and the answer says so. history-service keeps
the first decision only, and the finished answer, which a retried decision gets again.
"""

from datetime import UTC, datetime
from typing import Any

from chatkit.types import WidgetItem
from chatkit.widgets import DynamicWidgetRoot
from pydantic import BaseModel, ValidationError

from agent_gateway.history_client import StoredToolCall
from agent_gateway.schemas import Decision, PendingApprovalPublic
from agent_gateway.settings import Settings

APPROVAL_TOOLS = frozenset({"delete_task", "delete_tasks", "complete_tasks"})
NOTHING_CHANGED = "Okay, I left your tasks as they were. Nothing was changed."
EXPIRED = "That confirmation has expired, so nothing was changed. Ask again if you still want it."
PENDING_KEY = "pending_approval"
"""The key of the approval in the metadata of the answer that asks for it."""
APPROVAL_PREFIX = "apr_"
"""How the ids of approvals (history-service makes them) and so of their cards begin."""
DECIDE_ACTION = "approval.decide"
"""The ChatKit custom action of the card's Confirm and Cancel buttons."""


class DecideAction(BaseModel):
    """The payload of the card's custom action."""

    approval_id: str
    decision: Decision


def needs_approval(settings: Settings, tool_name: str) -> bool:
    """Whether a call of `tool_name` must wait for the user's decision."""
    if tool_name not in APPROVAL_TOOLS:
        return False
    return not (tool_name == "delete_task" and settings.approval_skip_single_delete)


def summary(calls: list[tuple[str, dict[str, Any]]], earlier: list[StoredToolCall]) -> str:
    """The question put to the user about the calls a run paused before, naming the tasks by
    the titles the turn's `earlier` calls returned (a listing, say) where it can."""
    titles = _titles_in(earlier)
    return " ".join(_describe(tool, arguments, titles) for tool, arguments in calls)


def question(pending: PendingApprovalPublic) -> str:
    """The assistant's words while the approval is pending."""
    return f"{pending.summary} Confirm or cancel."


def pending_of(metadata: dict[str, Any] | None) -> PendingApprovalPublic | None:
    """The approval an answer asks for (its message's metadata), if any."""
    stored = (metadata or {}).get(PENDING_KEY)
    if stored is None:
        return None
    try:
        return PendingApprovalPublic.model_validate(stored)
    except ValidationError:
        return None  # written by something else: no card rather than a failure


def approval_card(
    thread_id: str, pending: PendingApprovalPublic, created_at: datetime
) -> WidgetItem:
    """The confirm/cancel card shown after the question; its id is the approval's."""

    def button(label: str, decision: Decision) -> dict[str, Any]:
        payload = DecideAction(approval_id=pending.id, decision=decision).model_dump()
        return {
            "label": label,
            "action": {"type": DECIDE_ACTION, "payload": payload, "handler": "server"},
        }

    card = {
        "type": "Card",
        "children": [{"type": "Text", "value": pending.summary}],
        "confirm": button("Confirm", "approve"),
        "cancel": button("Cancel", "reject"),
    }
    return WidgetItem(
        id=pending.id,
        thread_id=thread_id,
        created_at=created_at,
        widget=DynamicWidgetRoot.model_validate(card),
        copy_text=pending.summary,
    )


def is_open(pending: PendingApprovalPublic) -> bool:
    """Whether the approval may still be decided (not expired)."""
    return pending.expires_at > datetime.now(UTC)


def _describe(tool: str, arguments: dict[str, Any], titles: dict[Any, str]) -> str:
    def named(task_id: Any) -> str:
        return f'{task_id} "{titles[task_id]}"' if task_id in titles else str(task_id)

    numbers = ", ".join(named(task_id) for task_id in arguments.get("task_ids") or [])
    if tool == "delete_task":
        return f"Delete task {named(arguments.get('task_id'))}?"
    if tool == "delete_tasks" and arguments.get("completed") is not None:
        status = "completed" if arguments["completed"] else "open"
        return f"Delete every {status} task?"
    if tool == "delete_tasks":
        return f"Delete tasks {numbers}?"
    if tool == "complete_tasks":
        return f"Mark tasks {numbers} as done?"
    return f"Run {tool}?"


def _titles_in(calls: list[StoredToolCall]) -> dict[Any, str]:
    """Task id → title, from the results of task listings and single-task changes."""
    titles: dict[Any, str] = {}
    for call in calls:
        result = call.result if isinstance(call.result, dict) else {}
        for task in [result, *(result.get("tasks") or [])]:
            if isinstance(task, dict) and isinstance(task.get("title"), str):
                task_id = task.get("id", task.get("task_id"))
                if task_id is not None:
                    titles[task_id] = task["title"]
    return titles
