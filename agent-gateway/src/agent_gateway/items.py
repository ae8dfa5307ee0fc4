"""ChatKit thread items ↔ history messages: the item rides in `metadata` so it round-trips exactly."""

import json
from datetime import UTC, datetime
from typing import Any

from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    CustomTask,
    HiddenContextItem,
    InferenceOptions,
    SDKHiddenContextItem,
    ThreadItem,
    UserMessageItem,
    UserMessageTextContent,
    Workflow,
    WorkflowItem,
)
from pydantic import TypeAdapter

from agent_gateway.history_client import Message, MessageWrite, Role, StoredToolCall

ITEM_KEY = "chatkit_item"
# Marks an answer whose turn did not finish (the client went away mid-answer, or the task tools
# could not be reached): a retry of the turn continues it and replaces the answer.
PARTIAL_KEY = "partial"
_items = TypeAdapter[ThreadItem](ThreadItem)


def user_text(item: UserMessageItem) -> str:
    """What the user typed, tags rendered as `@name`."""
    parts = []
    for part in item.content:
        parts.append(part.text if isinstance(part, UserMessageTextContent) else f"@{part.text}")
    return "".join(parts)


def assistant_text(item: AssistantMessageItem) -> str:
    """The assistant's text, all content parts joined."""
    return "".join(part.text for part in item.content)


def new_user_item(thread_id: str, item_id: str, text: str) -> UserMessageItem:
    """A user message item for text that arrived over REST."""
    return UserMessageItem(
        id=item_id,
        thread_id=thread_id,
        created_at=datetime.now(UTC),
        content=[UserMessageTextContent(text=text)],
        inference_options=InferenceOptions(),
    )


def item_to_message(
    item: ThreadItem, tool_calls: list[StoredToolCall] | None = None, *, partial: bool = False
) -> MessageWrite:
    """The history message that stores this item."""
    role, content = _role_and_content(item, tool_calls)
    metadata: dict[str, Any] = {ITEM_KEY: item.model_dump(mode="json")}
    if partial:
        metadata[PARTIAL_KEY] = True
    return MessageWrite(
        id=item.id, role=role, content=content, tool_calls=tool_calls, metadata=metadata
    )


def _role_and_content(
    item: ThreadItem, tool_calls: list[StoredToolCall] | None
) -> tuple[Role, str]:
    match item:
        case UserMessageItem():
            return "user", user_text(item)
        case AssistantMessageItem():
            return "assistant", assistant_text(item)
        case WorkflowItem():
            names = ", ".join(call.name for call in tool_calls or [])
            return "tool", f"Called {names}." if names else "Tool calls."
        case SDKHiddenContextItem():
            return "system", item.content
        case HiddenContextItem():
            return "system", item.content if isinstance(item.content, str) else json.dumps(
                item.content
            )
        case _:
            return "system", item.type


def message_to_item(message: Message) -> ThreadItem:
    """The ChatKit item a message stores, or one built from its plain fields."""
    stored = (message.metadata or {}).get(ITEM_KEY)
    if isinstance(stored, dict):
        return _items.validate_python(stored)
    common = {"id": message.id, "thread_id": message.conversation_id}
    common["created_at"] = message.created_at
    match message.role:
        case "user":
            return UserMessageItem(
                **common,
                content=[UserMessageTextContent(text=message.content)],
                inference_options=InferenceOptions(),
            )
        case "assistant":
            return AssistantMessageItem(
                **common, content=[AssistantMessageContent(text=message.content)]
            )
        case "tool":
            return WorkflowItem(**common, workflow=tool_workflow(message.tool_calls or []))
        case _:
            return SDKHiddenContextItem(**common, content=message.content)


FAILED_TOOL_ICON = "lucide:circle-alert"


def tool_task(call: StoredToolCall | None, name: str, *, running: bool = False) -> CustomTask:
    """How one tool call looks in a ChatKit workflow."""
    if running or call is None:
        return CustomTask(title=f"Running {name}…", icon="bolt", status_indicator="loading")
    if call.status == "error":
        # ChatKit has no "failed" indicator: no tick, a warning icon, and the error as content.
        return CustomTask(
            title=f"{name} failed",
            icon=FAILED_TOOL_ICON,
            content=_short(call.result),
            status_indicator="none",
        )
    return CustomTask(
        title=f"Ran {name}",
        icon="bolt",
        content=_short(call.arguments),
        status_indicator="complete",
    )


def tool_workflow(calls: list[StoredToolCall]) -> Workflow:
    """A finished workflow showing these tool calls."""
    return Workflow(type="custom", tasks=[tool_task(call, call.name) for call in calls])


def tool_item(
    item_id: str, thread_id: str, name: str, call: StoredToolCall | None = None
) -> WorkflowItem:
    """One tool call as a thread item: running until its `call` is given."""
    task = tool_task(call, name, running=call is None)
    return WorkflowItem(
        id=item_id,
        thread_id=thread_id,
        created_at=datetime.now(UTC),
        workflow=Workflow(type="custom", tasks=[task]),
    )


def is_unfinished(message: Message) -> bool:
    """Whether a stored answer is one a retry must continue (see `PARTIAL_KEY`)."""
    return bool((message.metadata or {}).get(PARTIAL_KEY))


def _short(value: Any, limit: int = 200) -> str | None:
    if value in (None, {}, ""):
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
