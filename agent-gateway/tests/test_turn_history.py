"""The window the model sees: chronological, starts at a user message, calls next to their outputs."""

import json
from datetime import UTC, datetime

from agent_gateway.agent import to_input_items, trim_window
from agent_gateway.history_client import Message
from agent_gateway.ids import assistant_message_id, tool_item_id
from agent_gateway.turn import TurnHistory


def message(role, content="", calls=None, id_=None) -> Message:
    """A message as history-service serves it (JSON, tool calls as stored)."""
    served = {"id": id_ or f"{role}-{content}", "role": role, "content": content}
    if calls is not None:
        served["tool_calls"] = calls
    served |= {"conversation_id": "c", "metadata": {"chatkit_item": {}}}
    served["created_at"] = datetime.now(UTC).isoformat()
    return Message.model_validate_json(json.dumps(served))


CALL = {
    "id": "call_1",
    "name": "add_task",
    "arguments": {"title": "Milk"},
    "result": {"task_id": 1},
    "status": "ok",
}


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
            "arguments": '{"title": "Milk"}',
        },
        {"type": "function_call_output", "call_id": "call_1", "output": '{"task_id": 1}'},
        {"role": "assistant", "content": "Added!"},
    ]


def test_text_results_replay_as_their_text_and_missing_arguments_as_an_empty_object():
    failed = {
        "id": "call_2",
        "name": "complete_task",
        "arguments": None,
        "result": "Task 7 not found",
    }
    bare = {"id": "call_3", "name": "list_tasks"}
    items = to_input_items([message("user", "Done with 7"), message("tool", "x", [failed, bare])])
    assert items[1:] == [
        {"type": "function_call", "call_id": "call_2", "name": "complete_task", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_2", "output": "Task 7 not found"},
        {"type": "function_call", "call_id": "call_3", "name": "list_tasks", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_3", "output": "null"},
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


def test_a_retried_turn_sees_its_own_stored_calls_after_its_user_message():
    user = message("user", "Add milk", id_="u1")
    done = message("tool", "Called add_task.", [CALL], id_=tool_item_id("u1", 0))
    history = TurnHistory(
        earlier=[message("user", "hi"), message("assistant", "Hello!")],
        user_message=user,
        tool_items=[done],
    )
    items = history.model_input()
    assert [i.get("role") or i.get("type") for i in items] == [
        "user",
        "assistant",
        "user",
        "function_call",
        "function_call_output",
    ]
    assert history.next_tool_index == 1
    assert [c.name for c in history.tool_calls] == ["add_task"]
    assert not history.finished


def test_a_turn_is_finished_only_by_an_answer_not_marked_partial():
    user = message("user", "Add milk", id_="u1")
    answer = message("assistant", "Added!", id_=assistant_message_id("u1"))
    assert TurnHistory(earlier=[], user_message=user, answer=answer).finished
    partial = answer.model_copy(update={"metadata": {"partial": True}})
    assert not TurnHistory(earlier=[], user_message=user, answer=partial).finished
