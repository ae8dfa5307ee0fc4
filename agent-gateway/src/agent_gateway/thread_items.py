"""ChatKit thread items and the history messages that store them: each item rides whole in its
message's `metadata`, so it round-trips exactly; a message written by another client becomes an
item built from its plain fields. `TurnEvents` shows one turn's run as thread events."""

import json
from datetime import UTC, datetime
from typing import Any

from agents import ItemHelpers, ModelResponse, StreamEvent
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    CustomTask,
    HiddenContextItem,
    InferenceOptions,
    SDKHiddenContextItem,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    UserMessageItem,
    UserMessageTextContent,
    Workflow,
    WorkflowItem,
)
from pydantic import TypeAdapter

from agent_gateway.history_client import Message, MessageWrite, Role, StoredToolCall
from agent_gateway.ids import assistant_message_id, tool_item_id

ITEM_KEY = "chatkit_item"
# Marks an answer whose turn did not finish (the client went away mid-answer, or the task tools
# could not be reached): a retry of the turn continues it and replaces the answer.
PARTIAL_KEY = "partial"
NO_ANSWER = "Sorry, I couldn't come up with an answer to that. Please try again."
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
    common: dict[str, Any] = {
        "id": message.id,
        "thread_id": message.conversation_id,
        "created_at": message.created_at,
    }
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


class TurnEvents:
    """One agent run as ChatKit thread events: each tool call an item of its own, the answer
    streamed. Ids derive from the user message, so that a retry finds the items.

    A tool call's item is numbered when it is first seen, whether by the stream (which shows it
    running) or by the call itself (which stores it finished): both see calls in the model's order.
    """

    def __init__(self, thread_id: str, user_message_id: str, first_tool_index: int) -> None:
        self.thread_id = thread_id
        self.user_message_id = user_message_id
        self._tool_indexes: dict[str, int] = {}
        self._next_tool_index = first_tool_index
        self._finished: dict[str, WorkflowItem] = {}
        self.message: AssistantMessageItem | None = None

    @property
    def text(self) -> str:
        """The assistant text so far."""
        return self.message.content[0].text if self.message else ""

    def tool_item_id(self, call_id: str) -> str:
        """The item id of the tool call `call_id` of this turn."""
        if call_id not in self._tool_indexes:
            self._tool_indexes[call_id] = self._next_tool_index
            self._next_tool_index += 1
        return tool_item_id(self.user_message_id, self._tool_indexes[call_id])

    def tool_finished(self, call_id: str, item: WorkflowItem) -> None:
        """The call's finished item, stored; the stream shows it when the SDK reports the output."""
        self._finished[call_id] = item

    def on_agent_event(self, event: StreamEvent) -> list[ThreadStreamEvent]:
        """The ChatKit events one Agents SDK stream event produces."""
        if event.type == "raw_response_event" and event.data.type == "response.output_text.delta":
            return self.add_text(event.data.delta)
        if event.type != "run_item_stream_event":
            return []
        raw = event.item.raw_item
        call_id = str(_field(raw, "call_id") or "")
        if event.item.type == "tool_call_item":
            name = str(_field(raw, "name") or "tool")
            running = tool_item(self.tool_item_id(call_id), self.thread_id, name)
            return [ThreadItemAddedEvent(item=running)]
        if event.item.type == "tool_call_output_item" and call_id in self._finished:
            return [ThreadItemDoneEvent(item=self._finished.pop(call_id))]
        return []

    def add_response(self, response: ModelResponse) -> list[ThreadStreamEvent]:
        """A whole model response's text at once (a run that is not streamed)."""
        text = "".join(ItemHelpers.extract_text(item) or "" for item in response.output)
        return self.add_text(text) if text else []

    def add_text(self, delta: str) -> list[ThreadStreamEvent]:
        """More assistant text, opening the message first."""
        events: list[ThreadStreamEvent] = []
        if self.message is None:
            self.message = AssistantMessageItem(
                id=assistant_message_id(self.user_message_id),
                thread_id=self.thread_id,
                created_at=datetime.now(UTC),
                content=[AssistantMessageContent(text="")],
            )
            events.append(ThreadItemAddedEvent(item=self.message.model_copy(deep=True)))
            part = AssistantMessageContentPartAdded(
                content_index=0, content=AssistantMessageContent(text="")
            )
            events.append(ThreadItemUpdatedEvent(item_id=self.message.id, update=part))
        self.message.content[0].text += delta
        update = AssistantMessageContentPartTextDelta(content_index=0, delta=delta)
        events.append(ThreadItemUpdatedEvent(item_id=self.message.id, update=update))
        return events

    def answer(
        self, note: str | None = None
    ) -> tuple[AssistantMessageItem, list[ThreadStreamEvent]]:
        """The finished answer and the events that show it: what was streamed, then `note` if
        given; a fallback when nothing at all was said."""
        if note:
            events = self.add_text(f"\n\n{note}" if self.text.strip() else note)
        elif not self.text.strip():
            events = self.add_text(NO_ANSWER)
        else:
            events = []
        assert self.message is not None
        return self.message.model_copy(deep=True), events


def _field(item: Any, name: str) -> Any:
    # Run items hold the SDK's models (a call) or plain dicts (a call's output).
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)
