"""The model's view of a conversation: the newest messages, replayed as Responses input items."""

from collections.abc import Sequence
from typing import Any

from agents import TResponseInputItem

from agent_gateway.history_client import StoredToolCall, WindowMessage
from todo_common import jsontext


def trim_window(messages: Sequence[WindowMessage]) -> list[WindowMessage]:
    """Drop what precedes the window's first user message, so it never opens mid-turn."""
    for index, message in enumerate(messages):
        if message.role == "user":
            return list(messages[index:])
    return []


def to_input_items(messages: Sequence[WindowMessage]) -> list[TResponseInputItem]:
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
    return [
        {
            "type": "function_call",
            "call_id": call_id,
            "name": call.name,
            "arguments": _as_text(call.arguments or {}),
        },
        {"type": "function_call_output", "call_id": call_id, "output": _as_text(call.result)},
    ]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return jsontext.dumps(value)
