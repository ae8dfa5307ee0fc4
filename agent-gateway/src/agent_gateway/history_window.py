"""The model's view of a conversation for one turn: the newest messages up to the user message it
answers, then what that turn already did (a retried turn continues instead of starting over)."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agents import TResponseInputItem

from agent_gateway.history_client import HistoryClient, Message, StoredToolCall
from agent_gateway.ids import assistant_message_id, tool_item_id
from agent_gateway.items import is_unfinished
from todo_common.auth import Principal

HISTORY_PAGE_MAX = 200
TURN_TOOL_CALLS_MAX = 64


@dataclass
class TurnHistory:
    """What the conversation holds for the turn answering `user_message`."""

    earlier: list[Message]
    """The newest messages before the user message, oldest first."""
    user_message: Message
    tool_items: list[Message] = field(default_factory=list)
    """This turn's tool calls stored so far, in the order they were made."""
    answer: Message | None = None
    """This turn's stored answer, if it got that far."""

    @property
    def finished(self) -> bool:
        """Whether the turn was answered to the end (nothing is left to continue)."""
        return self.answer is not None and not is_unfinished(self.answer)

    @property
    def tool_calls(self) -> list[StoredToolCall]:
        """This turn's stored tool calls."""
        return [call for item in self.tool_items for call in item.tool_calls or []]

    @property
    def next_tool_index(self) -> int:
        """The index the turn's next tool call gets (its item id derives from it)."""
        indexes = _tool_indexes(self.user_message.id)
        return max((indexes[item.id] + 1 for item in self.tool_items), default=0)

    def model_input(self) -> list[TResponseInputItem]:
        """The window as Responses input items, this turn's tool calls last."""
        return to_input_items([*self.earlier, self.user_message, *self.tool_items])


async def load_turn_history(
    history: HistoryClient,
    caller: Principal,
    conversation_id: str,
    user_message: Message,
    window: int,
) -> TurnHistory:
    """The history of the turn answering the stored `user_message`, as two reads: the messages
    before it, and what came after it that belongs to its turn (other turns' messages may
    interleave when several run at once)."""
    before = await history.list_messages(
        caller,
        conversation_id,
        limit=max(1, min(window - 1, HISTORY_PAGE_MAX)),
        order="desc",
        after=user_message.id,
    )
    after = await history.list_messages(
        caller, conversation_id, limit=HISTORY_PAGE_MAX, order="asc", after=user_message.id
    )
    tool_indexes = _tool_indexes(user_message.id)
    answer_id = assistant_message_id(user_message.id)
    return TurnHistory(
        earlier=before.items[::-1] if window > 1 else [],
        user_message=user_message,
        tool_items=[m for m in after.items if m.id in tool_indexes and m.role == "tool"],
        answer=next((m for m in after.items if m.id == answer_id), None),
    )


def _tool_indexes(user_message_id: str) -> dict[str, int]:
    return {tool_item_id(user_message_id, i): i for i in range(TURN_TOOL_CALLS_MAX)}


def trim_window(messages: Sequence[Message]) -> list[Message]:
    """Drop what precedes the window's first user message, so it never opens mid-turn."""
    for index, message in enumerate(messages):
        if message.role == "user":
            return list(messages[index:])
    return []


def to_input_items(messages: Sequence[Message]) -> list[TResponseInputItem]:
    """Chronological messages → user/assistant messages and function call/output pairs."""
    items: list[TResponseInputItem] = []
    for message in trim_window(messages):
        if message.role == "user":
            items.append({"role": "user", "content": message.content})
            continue
        if message.role not in ("assistant", "tool"):
            continue
        for index, call in enumerate(message.tool_calls or []):
            items.extend(_call_items(call, f"{message.id}-{index}"))
        if message.role == "assistant" and message.content:
            items.append({"role": "assistant", "content": message.content})
    return items


def _call_items(call: StoredToolCall, fallback_id: str) -> list[TResponseInputItem]:
    # A call and its output are stored together, so they are replayed together or not at all.
    call_id = call.id or fallback_id
    arguments = call.arguments if call.arguments not in (None, "") else {}
    return [
        {
            "type": "function_call",
            "call_id": call_id,
            "name": call.name,
            "arguments": _as_text(arguments),
        },
        {"type": "function_call_output", "call_id": call_id, "output": _as_text(call.result)},
    ]


def _as_text(value: Any) -> str:
    """A stored JSON value as the model reads it: a string as its text, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)
