"""The real OpenAI client path: MODEL_PROVIDER=openai-compatible against a fake local server."""

import sys
from pathlib import Path

import httpx2
import pytest

from tests.conftest import gateway_env, start_service
from tests.gateway.chat_client import (
    chat,
    chat_ok,
    chatkit_stream,
    messages,
    new_user,
    streamed_text,
    tasks,
    user_input,
)
from todo_testing.postgres import free_port
from todo_testing.processes import ServiceProcess

FAKE = Path(__file__).with_name("fake_openai.py")


class FakeOpenAI(ServiceProcess):
    """The fake Chat Completions server; tests start it when they want the model up."""

    def __init__(self, log_path: Path) -> None:
        port = free_port()
        command = [sys.executable, str(FAKE), str(port)]
        super().__init__("fake_openai", {}, log_path, port, command=command)

    def requests(self) -> list[dict]:
        return httpx2.get(f"{self.url}/requests").json()


@pytest.fixture(scope="module")
def fake_openai(tmp_path_factory):
    server = FakeOpenAI(tmp_path_factory.mktemp("fake-openai") / "fake_openai.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def compatible_gateway(history_server, mcp_server, fake_openai):
    env = gateway_env(
        history_server,
        mcp_server,
        MODEL_PROVIDER="openai-compatible",
        OPENAI_BASE_URL=f"{fake_openai.url}/v1",
        MODEL="fake-model",
        MODEL_TIMEOUT_SECONDS="5",
    )
    gateway = start_service("agent_gateway.main", "gateway-openai-compatible", env)
    yield gateway
    gateway.stop()


def test_model_down_is_503_with_the_message_kept_then_a_retry_works(
    compatible_gateway, fake_openai, history_server, mcp_server
):
    user = new_user()
    down = chat(compatible_gateway.url, user, "Please add water the garden", message_id="first")
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"

    fake_openai.start()
    body = chat_ok(compatible_gateway.url, user, "Please add water the garden", message_id="first")
    stored = messages(history_server.url, user, body["conversation_id"])
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Water the garden"]
    assert body["response"].startswith("All set: I added it.")
    assert body["tool_calls"][0]["name"] == "add_task"
    # Nobody watches a REST turn: each model call is one whole completion, not a stream.
    assert not any(request.get("stream") for request in fake_openai.requests()[-2:])


def test_streamed_tool_call_and_text_over_chatkit(compatible_gateway, fake_openai, history_server):
    fake_openai.start() if fake_openai.process is None else None
    user = new_user()
    events = chatkit_stream(
        compatible_gateway.url, user, "threads.create", input=user_input("add it")
    )
    text = streamed_text(events)
    assert text.startswith("All set: I added it.")
    deltas = [e for e in events if e.get("update", {}).get("type", "").endswith("text_delta")]
    assert len(deltas) > 3
    answer = events[-1]["item"]
    assert answer["id"] != "__fake_id__"
    stored = messages(history_server.url, user, events[0]["thread"]["id"])
    assert stored[-1]["id"] == answer["id"]
    assert stored[-1]["content"] == text
    assert [request.get("stream") for request in fake_openai.requests()[-2:]] == [True, True]
    # Local servers get tool results as plain strings, not content arrays.
    tool_message = next(m for m in fake_openai.requests()[-1]["messages"] if m["role"] == "tool")
    assert isinstance(tool_message["content"], str)
    assert "task_id" in tool_message["content"]
