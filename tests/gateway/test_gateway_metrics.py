"""The gateway's own metrics: turns, model calls, tool calls and history requests move with a turn."""

import re

import httpx2

from tests.gateway.chat_client import chat_ok, new_user


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", metrics, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_a_turn_counts_its_duration_its_model_calls_and_its_tool_calls(gateway_server):
    before = httpx2.get(f"{gateway_server.url}/metrics").text
    chat_ok(gateway_server.url, new_user(), "Add a task to water the plants")
    after = httpx2.get(f"{gateway_server.url}/metrics").text

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("chat_turn_duration_seconds_count", outcome="ok") == 1
    assert grew("model_call_duration_seconds_count", provider="offline") >= 2  # call, then reply
    assert grew("tool_calls_total", tool="add_task", status="ok") == 1
    assert grew("tool_call_duration_seconds_count", tool="add_task") == 1
    # A new conversation: claim a turn slot, create the conversation, store the message and read
    # the window in one request, then store each finished item (the tool call, the answer) as it
    # finishes, let go of the user message's turn lease, and release the slot.
    assert grew("history_request_duration_seconds_count", method="POST", outcome="ok") == 3
    assert grew("history_request_duration_seconds_count", method="DELETE", outcome="ok") == 1
    assert grew("history_request_duration_seconds_count", method="GET", outcome="ok") == 0
    assert grew("history_request_duration_seconds_count", method="PUT", outcome="ok") == 3
    assert grew("history_request_duration_seconds_sum", method="PUT", outcome="ok") > 0
