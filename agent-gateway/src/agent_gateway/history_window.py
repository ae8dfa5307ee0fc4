"""The model's view of a conversation: the newest messages, replayed as Responses input items."""

from collections.abc import Sequence

import msgspec
from agents import TResponseInputItem

from agent_gateway.history_client import WindowMessage, WindowToolCall


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


def _call_items(call: WindowToolCall, fallback_id: str) -> list[TResponseInputItem]:
    # A call and its output are stored together, so they are replayed together or not at all.
    call_id = call.id or fallback_id
    return [
        {
            "type": "function_call",
            "call_id": call_id,
            "name": call.name,
            "arguments": _arguments_text(call.arguments),
        },
        {"type": "function_call_output", "call_id": call_id, "output": _as_text(call.result)},
    ]


def _arguments_text(stored: msgspec.Raw) -> str:
    # Arguments never stored (or empty) replay as an empty object.
    text = _as_text(stored)
    return text if text not in ("", "null") else "{}"


def _as_text(stored: msgspec.Raw) -> str:
    """A stored JSON value as the model reads it: a string as its text, anything else as JSON."""
    text = bytes(stored).decode()
    if text.startswith('"'):
        return str(msgspec.json.decode(stored))
    return text
