"""The window the model sees: chronological, starts at a user message, calls next to their outputs."""

from datetime import UTC, datetime

from agent_gateway.history_client import Message, StoredToolCall
from agent_gateway.history_window import to_input_items, trim_window


def message(role, content="", calls=None, id_=None):
    return Message(
        id=id_ or f"{role}-{content}",
        conversation_id="c",
        role=role,
        content=content,
        tool_calls=calls,
        created_at=datetime.now(UTC),
    )


CALL = StoredToolCall(
    id="call_1", name="add_task", arguments={"title": "Milk"}, result={"task_id": 1}
)


def test_tool_calls_replay_as_call_then_output_before_the_answer():
    items = to_input_items(
        [
            message("user", "Add milk"),
            message("tool", "Called add_task.", [CALL]),
            message("assistant", "Added!"),
        ]
    )
    assert items == [
        {"role": "user", "content": "Add milk"},
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "add_task",
            "arguments": '{"title":"Milk"}',
        },
        {"type": "function_call_output", "call_id": "call_1", "output": '{"task_id":1}'},
        {"role": "assistant", "content": "Added!"},
    ]


def test_a_window_cut_mid_turn_starts_at_the_next_user_message():
    window = [
        message("tool", "x", [CALL]),
        message("assistant", "Added!"),
        message("user", "Thanks"),
    ]
    assert [m.role for m in trim_window(window)] == ["user"]
    assert to_input_items(window) == [{"role": "user", "content": "Thanks"}]


def test_system_messages_and_empty_tool_messages_are_not_replayed():
    items = to_input_items(
        [message("user", "hi"), message("system", "cancelled"), message("tool", "x")]
    )
    assert items == [{"role": "user", "content": "hi"}]
