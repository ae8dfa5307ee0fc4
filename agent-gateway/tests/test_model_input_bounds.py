"""The model's input is bounded: the window by size as well as count (oldest dropped first, the
current turn always kept, never opening mid-turn), each replayed tool result cut with a note; and
the limits are on by default, configurable by env, and bounded."""

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from agent_gateway.agent import to_input_items, truncated
from agent_gateway.history_client import Message
from agent_gateway.limits import turn_policy
from agent_gateway.settings import Settings
from agent_gateway.turn import TurnHistory


def message(role, content="", calls=None, id_=None) -> Message:
    served = {"id": id_ or f"{role}-{content[:20]}", "role": role, "content": content}
    if calls is not None:
        served["tool_calls"] = calls
    served |= {"conversation_id": "c", "created_at": datetime.now(UTC).isoformat()}
    return Message.model_validate_json(json.dumps(served))


def call(result, call_id="call_1"):
    return {"id": call_id, "name": "list_tasks", "arguments": {}, "result": result}


def contents(items):
    return [item.get("content") or item.get("output") for item in items]


def test_the_oldest_messages_go_first_when_the_window_is_over_its_size():
    window = [
        message("user", "a" * 100, id_="u1"),
        message("assistant", "b" * 100, id_="a1"),
        message("user", "c" * 100, id_="u2"),
        message("assistant", "d" * 100, id_="a2"),
        message("user", "now", id_="u3"),
    ]
    assert len(to_input_items(window, window_chars=10_000)) == 5
    kept = to_input_items(window, window_chars=250)
    assert contents(kept) == ["c" * 100, "d" * 100, "now"]


def test_the_window_never_opens_mid_turn():
    window = [
        message("user", "a" * 100, id_="u1"),
        message("tool", "x", [call("r" * 10)], id_="t1"),
        message("assistant", "b" * 10, id_="a1"),
        message("user", "now", id_="u2"),
    ]
    # Room for the answer and the tool call, not for the user message that asked for them.
    kept = to_input_items(window, window_chars=60)
    assert kept == [{"role": "user", "content": "now"}]


def test_the_current_turn_is_kept_whatever_its_size():
    user = message("user", "u" * 10_000, id_="u1")
    done = message("tool", "x", [call("r" * 3_000)], id_="t1")
    history = TurnHistory(
        earlier=[message("user", "old"), message("assistant", "hi")],
        user_message=user,
        tool_items=[done],
    )
    items = history.model_input(window_chars=100, tool_result_chars=4_000)
    assert [i.get("role") or i.get("type") for i in items] == [
        "user",
        "function_call",
        "function_call_output",
    ]
    assert items[0]["content"] == "u" * 10_000


def test_a_replayed_tool_result_is_cut_with_a_note():
    result = {"items": ["x" * 50] * 200}
    full = json.dumps(result)
    items = to_input_items(
        [message("user", "list"), message("tool", "x", [call(result)])], tool_result_chars=1_000
    )
    output = items[-1]["output"]
    assert output.startswith(full[:1_000])
    assert output == full[:1_000] + f"… [truncated: {len(full) - 1_000:,} more characters]"
    short = to_input_items(
        [message("user", "list"), message("tool", "x", [call("ok")])], tool_result_chars=1_000
    )
    assert short[-1]["output"] == "ok"


def test_truncated_leaves_short_text_alone():
    assert truncated("hello", 5) == "hello"
    assert truncated("hello!", 5) == "hello… [truncated: 1 more characters]"
    assert truncated("hello!", None) == "hello!"


def test_the_limits_are_on_by_default_and_set_by_env(monkeypatch):
    defaults = Settings()
    assert (defaults.chat_turns_per_minute, defaults.chat_turn_burst) == (20, 10)
    assert defaults.chat_concurrent_turns == 3
    assert defaults.turn_deadline_seconds == 120
    assert (defaults.history_window_chars, defaults.tool_result_max_chars) == (60_000, 4_000)
    assert turn_policy(defaults) == {
        "burst": 10,
        "per_minute": 20,
        "concurrent": 3,
        "hold_seconds": 150,
    }
    monkeypatch.setenv("CHAT_TURN_BURST", "2")
    monkeypatch.setenv("TURN_DEADLINE_SECONDS", "5.5")
    configured = Settings()
    assert turn_policy(configured)["burst"] == 2
    assert turn_policy(configured)["hold_seconds"] == 36


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CHAT_TURNS_PER_MINUTE", "0"),
        ("CHAT_TURN_BURST", "100000"),
        ("CHAT_CONCURRENT_TURNS", "-1"),
        ("TURN_DEADLINE_SECONDS", "0"),
        ("TOOL_RESULT_MAX_CHARS", "10"),
    ],
)
def test_a_limit_out_of_range_stops_the_service_naming_it(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.lower()):
        Settings()
