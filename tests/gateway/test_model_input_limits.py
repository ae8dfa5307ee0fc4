"""What the model is sent stays bounded in a real turn (scripted model; real history-service and
mcp-server): earlier messages by HISTORY_WINDOW_CHARS, each tool result by TOOL_RESULT_MAX_CHARS,
while the stored result stays whole."""

import json
import re

import httpx2
import pytest
from agents import Model, ModelProvider
from agents.testing import ScriptedModel, assistant_message, function_call
from asgi_lifespan import LifespanManager

from agent_gateway.app import create_app
from agent_gateway.settings import Settings
from tests.gateway.chat_client import add_task, messages, new_user
from todo_testing.tokens import TEST_JWT_SECRET, auth_header


class ScriptedProvider(ModelProvider):
    def __init__(self, model: ScriptedModel) -> None:
        self.model = model

    def get_model(self, model_name: str | None) -> Model:
        return self.model


@pytest.fixture
async def gateway_with(history_server, mcp_server):
    """`await gateway_with(model, **settings)`: an in-process gateway over the real services."""
    managers = []

    async def start(model: ScriptedModel, **overrides: int) -> httpx2.AsyncClient:
        settings = Settings(
            app_env="test",
            auth_jwt_secret=TEST_JWT_SECRET,
            history_service_url=history_server.url,
            mcp_server_url=f"{mcp_server.url}/mcp",
            **overrides,
        )
        manager = LifespanManager(create_app(settings, ScriptedProvider(model)))
        await manager.__aenter__()
        managers.append(manager)
        return httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=manager.app), base_url="http://gateway", timeout=30
        )

    yield start
    for manager in managers:
        await manager.__aexit__(None, None, None)


async def turn(client, user, message, conversation_id=None) -> dict:
    body = {"message": message, **({"conversation_id": conversation_id} if conversation_id else {})}
    response = await client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_long_tool_result_reaches_the_model_cut_with_a_note_and_is_stored_whole(
    gateway_with, mcp_server, history_server
):
    user = new_user("long-result")
    for index in range(12):
        add_task(mcp_server.url, user, f"Task {index} " + "x" * 150)
    model = ScriptedModel(
        [
            [function_call("list_tasks", {"status": "all"}, call_id="call_list")],
            [assistant_message("Here they are.")],
            [assistant_message("Still here.")],
        ]
    )
    client = await gateway_with(model, tool_result_max_chars=500)
    first = await turn(client, user, "Show my tasks")

    live = model.calls[1].input[-1]
    assert live["type"] == "function_call_output"
    cut = re.fullmatch(r"(.{500})… \[truncated: ([\d,]+) more characters\]", live["output"], re.S)
    assert cut is not None, live["output"]
    stored = messages(history_server.url, user, first["conversation_id"])
    whole = json.dumps(stored[1]["tool_calls"][0]["result"])
    assert len(whole) > 500
    assert "Task 11" in whole

    await turn(client, user, "And again?", first["conversation_id"])
    [replayed] = [i for i in model.calls[2].input if i.get("type") == "function_call_output"]
    assert replayed["output"].endswith(" more characters]")
    assert len(replayed["output"]) < len(whole)


async def test_earlier_messages_beyond_the_window_size_are_left_out_oldest_first(gateway_with):
    model = ScriptedModel([[assistant_message("ok")] for _ in range(3)])
    client = await gateway_with(model, history_window_chars=3_000)
    user = new_user("window")
    first = await turn(client, user, "a" * 2_000)
    await turn(client, user, "b" * 2_000, first["conversation_id"])
    await turn(client, user, "c", first["conversation_id"])
    assert [item["content"] for item in model.calls[2].input] == ["b" * 2_000, "ok", "c"]
    # With 2,000 + 2,000 characters over the bound, the first turn was already left out.
    assert [item["content"] for item in model.calls[1].input] == ["b" * 2_000]
