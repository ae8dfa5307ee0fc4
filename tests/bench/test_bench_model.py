"""The benchmark's provider path stays true: its fake Chat Completions server (bench/) drives the
real gateway to the tools the benchmark's messages name, streamed (ChatKit) and whole (REST), and
`chat_load.py` sets the two model paths side by side."""

import importlib
import sys
from pathlib import Path

import pytest

from tests.conftest import gateway_env, start_service
from tests.gateway.chat_client import (
    chat_ok,
    chatkit_stream,
    new_user,
    streamed_text,
    tasks,
    user_input,
)
from todo_testing.processes import ServiceProcess

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
chat_load = importlib.import_module("chat_load")


@pytest.fixture(scope="module")
def bench_model(tmp_path_factory):
    log = tmp_path_factory.mktemp("bench-model") / "fake_chat_completions.log"
    command = [sys.executable, str(chat_load.FAKE_MODEL)]
    server = ServiceProcess("fake_chat_completions", {}, log, command=command).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def provider_gateway(history_server, mcp_server, bench_model):
    env = gateway_env(
        history_server,
        mcp_server,
        MODEL_PROVIDER="openai-compatible",
        OPENAI_BASE_URL=f"{bench_model.url}/v1",
        MODEL="bench-model",
    )
    gateway = start_service("agent_gateway.main", "gateway-bench-model", env)
    yield gateway
    gateway.stop()


def test_each_benchmark_message_gets_its_tool_over_rest(provider_gateway, mcp_server):
    user, url = new_user(), provider_gateway.url
    add, pending, show, hello = chat_load.MESSAGES
    added = chat_ok(url, user, add.format(n=1))
    conversation = {"conversation_id": added["conversation_id"]}
    assert [(c["name"], c["arguments"]) for c in added["tool_calls"]] == [
        ("add_task", {"title": "Buy item 1"})
    ]
    assert added["response"].startswith("Done. ")
    [task] = tasks(mcp_server.url, user)
    assert task["title"] == "Buy item 1"

    listed = chat_ok(url, user, pending, **conversation)
    assert [(c["name"], c["arguments"]) for c in listed["tool_calls"]] == [
        ("list_tasks", {"status": "pending"})
    ]
    shown = chat_ok(url, user, show, **conversation)
    assert [(c["name"], c["arguments"]) for c in shown["tool_calls"]] == [
        ("list_tasks", {"status": "all"})
    ]
    completed = chat_ok(url, user, f"Please complete task {task['id']}", **conversation)
    assert [c["name"] for c in completed["tool_calls"]] == ["complete_task"]
    assert tasks(mcp_server.url, user)[0]["completed"] is True
    greeted = chat_ok(url, user, hello, **conversation)
    assert greeted["tool_calls"] == []
    assert greeted["response"].startswith("Hello!")


def test_a_streamed_turn_makes_the_same_call(provider_gateway, mcp_server):
    user = new_user()
    events = chatkit_stream(
        provider_gateway.url, user, "threads.create", input=user_input("Add a task to buy bread")
    )
    assert streamed_text(events).startswith("Done. ")
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Buy bread"]


def _rows(p50: float) -> dict[str, object]:
    row = {"p50_ms": p50, "p95_ms": p50 * 2, "turns_per_s": 100 / p50, "cpu_ours": p50 / 2}
    return {"rows": [{"scenario": name, **row} for name in ("paced-50", "saturation")]}


def test_both_paths_side_by_side():
    table = chat_load.side_by_side({"offline": _rows(10.0), "openai-compatible": _rows(20.0)})

    assert [line["scenario"] for line in table] == ["paced-50", "saturation"]
    assert table[0] == {
        "scenario": "paced-50",
        "offline_p50": 10.0,
        "offline_p95": 20.0,
        "offline_turns/s": 10.0,
        "offline_cpu": 5.0,
        "provider_p50": 20.0,
        "provider_p95": 40.0,
        "provider_turns/s": 5.0,
        "provider_cpu": 10.0,
    }
