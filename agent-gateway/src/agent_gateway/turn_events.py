"""One agent run → ChatKit thread events: each tool call an item of its own, the answer streamed."""

from datetime import UTC, datetime
from typing import Any

from agents import StreamEvent
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    WorkflowItem,
)

from agent_gateway.ids import assistant_message_id, tool_item_id
from agent_gateway.items import tool_item

NO_ANSWER = "Sorry, I couldn't come up with an answer to that. Please try again."


class TurnEvents:
    """The turn's items, with ids derived from the user message so that a retry finds them.

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
