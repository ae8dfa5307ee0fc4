"""What the model is given, checked with the Agents SDK's scripted model (the only stand-in)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from agents import Model, ModelProvider, ModelResponse, Usage
from agents.testing import ScriptedModel, assistant_message, function_call
from asgi_lifespan import LifespanManager
from openai.types.responses import ResponseOutputMessage, ResponseOutputText

from agent_gateway.app import create_app
from agent_gateway.ids import conversation_id_for
from agent_gateway.settings import Settings
from tests.gateway.chat_client import messages, new_user, tasks
from todo_testing.tokens import TEST_JWT_SECRET, auth_header


class ScriptedProvider(ModelProvider):
    def __init__(self, model: ScriptedModel) -> None:
        self.model = model

    def get_model(self, model_name: str | None) -> Model:
        return self.model


@pytest.fixture
async def gateway_with(history_server, mcp_server):
    """An in-process gateway whose model is scripted; real history-service and mcp-server."""
    managers = []

    async def start(model: ScriptedModel, window: int = 40) -> httpx2.AsyncClient:
        settings = Settings(
            app_env="test",
            auth_jwt_secret=TEST_JWT_SECRET,
            history_service_url=history_server.url,
            mcp_server_url=f"{mcp_server.url}/mcp",
            history_window=window,
        )
        manager = LifespanManager(create_app(settings, ScriptedProvider(model)))
        await manager.__aenter__()
        managers.append(manager)
        app = manager.app
        return httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://gateway", timeout=30
        )

    yield start
    for manager in managers:
        await manager.__aexit__(None, None, None)


async def turn(client, user, message, conversation_id=None) -> dict:
    body = {"message": message}
    if conversation_id:
        body["conversation_id"] = conversation_id
    response = await client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))
    assert response.status_code == 200, response.text
    return response.json()


def kinds(items: list) -> list[str]:
    return [item.get("type") or item.get("role") for item in items]


async def test_second_turn_sees_the_first_turns_call_and_output_in_order(
    gateway_with, history_server
):
    model = ScriptedModel(
        [
            [function_call("add_task", {"title": "Buy milk"}, call_id="call_first")],
            [assistant_message("Added Buy milk.")],
            [assistant_message("You asked me to add Buy milk.")],
        ]
    )
    client = await gateway_with(model)
    user = new_user()
    first = await turn(client, user, "Please add buy milk")
    await turn(client, user, "What did I ask?", first["conversation_id"])

    second_input = model.calls[2].input
    assert kinds(second_input) == [
        "user",
        "function_call",
        "function_call_output",
        "assistant",
        "user",
    ]
    assert second_input[-1] == {"role": "user", "content": "What did I ask?"}
    call, output = second_input[1], second_input[2]
    assert call["call_id"] == output["call_id"] == "call_first"
    assert call["name"] == "add_task"
    assert '"Buy milk"' in call["arguments"]
    assert '"task_id"' in output["output"]
    assert first["tool_calls"][0]["status"] == "ok"
    model.assert_complete()
    # The stored call says how long it ran (it reached mcp-server: more than nothing).
    stored = messages(history_server.url, user, first["conversation_id"])
    assert stored[1]["tool_calls"][0]["duration_ms"] > 0


async def test_a_window_never_starts_with_an_orphan_tool_output(gateway_with):
    steps = []
    for index in range(3):
        steps += [
            [function_call("list_tasks", {}, call_id=f"call_{index}")],
            [assistant_message(f"Listed {index}.")],
        ]
    model = ScriptedModel(steps)
    # Each turn stores user + tool + assistant: a window of 4 cuts through the previous turn.
    client = await gateway_with(model, window=4)
    user = new_user()
    conversation_id = None
    for index in range(3):
        body = await turn(client, user, f"list {index}", conversation_id)
        conversation_id = body["conversation_id"]

    for call in model.calls:
        first = call.input[0]
        assert first.get("role") == "user", call.input
        outputs = [i["call_id"] for i in call.input if i.get("type") == "function_call_output"]
        calls = [i["call_id"] for i in call.input if i.get("type") == "function_call"]
        assert outputs == calls


async def test_a_rest_answer_holds_what_the_model_said_before_and_after_its_tool_call(
    gateway_with, history_server
):
    model = ScriptedModel(
        [
            [
                assistant_message("On it. "),
                function_call("add_task", {"title": "Buy milk"}, call_id="call_said"),
            ],
            [assistant_message("Added Buy milk.")],
        ]
    )
    client = await gateway_with(model)
    user = new_user()
    body = await turn(client, user, "Please add buy milk")

    assert body["response"] == "On it. Added Buy milk."
    stored = messages(history_server.url, user, body["conversation_id"])
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]
    assert stored[-1]["content"] == "On it. Added Buy milk."
    model.assert_complete()


async def test_a_model_failing_after_a_tool_call_keeps_the_call(
    gateway_with, history_server, mcp_server
):
    model = ScriptedModel(
        [
            [function_call("add_task", {"title": "Buy milk"}, call_id="call_done")],
            RuntimeError("the model broke after the tool ran"),
        ]
    )
    client = await gateway_with(model)
    user = new_user()
    body = {"message": "Please add buy milk", "message_id": "m-fails"}
    response = await client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))

    assert response.status_code == 502, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Buy milk"]
    # A first message with an id starts the conversation whose id derives from it.
    stored = messages(history_server.url, user, conversation_id_for(user, "m-fails"))
    assert [m["role"] for m in stored] == ["user", "tool"]
    [call] = stored[1]["tool_calls"]
    assert (call["id"], call["name"], call["status"]) == ("call_done", "add_task", "ok")
    assert call["duration_ms"] > 0
    assert call["result"]["title"] == "Buy milk"


async def test_a_retried_turn_continues_after_its_stored_call_instead_of_redoing_it(
    gateway_with, history_server, mcp_server
):
    broken = ScriptedModel(
        [
            [function_call("add_task", {"title": "Buy eggs"}, call_id="call_eggs")],
            RuntimeError("the model broke after the tool ran"),
        ]
    )
    user = new_user()
    body = {"message": "Please add buy eggs", "message_id": "m-resume"}
    client = await gateway_with(broken)
    failed = await client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))
    assert failed.status_code == 502

    resumed = ScriptedModel([[assistant_message("Added Buy eggs.")]])
    retry_client = await gateway_with(resumed)
    answer = await retry_client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))

    assert answer.status_code == 200, answer.text
    assert answer.json()["response"] == "Added Buy eggs."
    [call] = answer.json()["tool_calls"]  # the earlier attempt's call, reported once
    assert (call["name"], call["status"]) == ("add_task", "ok")
    # The model was shown the stored call and asked only for what is left.
    [given] = resumed.calls
    assert kinds(given.input) == ["user", "function_call", "function_call_output"]
    assert given.input[1]["call_id"] == "call_eggs"
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Buy eggs"]
    stored = messages(history_server.url, user, conversation_id_for(user, "m-resume"))
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]
    again = await retry_client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))
    assert again.json() == answer.json()
    resumed.assert_complete()


async def test_a_call_made_again_by_a_retried_turn_changes_nothing_twice(
    gateway_with, history_server, mcp_server
):
    # The first attempt's call reached mcp-server but was never stored (the gateway died): the
    # retry's model makes the same call again, and mcp-server answers it from its idempotency key.
    user = new_user()
    body = {"message": "Please add buy flour", "message_id": "m-again"}
    script = [
        [function_call("add_task", {"title": "Buy flour"}, call_id="call_1")],
        [assistant_message("Added Buy flour.")],
    ]
    first = ScriptedModel(script)
    client = await gateway_with(first)
    assert (
        await client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))
    ).status_code == 200
    conversation_id = conversation_id_for(user, "m-again")
    stored = messages(history_server.url, user, conversation_id)
    for message in stored[1:]:  # forget everything after the user message, as a crash would
        path = f"/api/{user}/conversations/{conversation_id}/messages/{message['id']}"
        deleted = httpx2.delete(f"{history_server.url}{path}", headers=auth_header(user))
        assert deleted.status_code == 204
    assert [m["role"] for m in messages(history_server.url, user, conversation_id)] == ["user"]

    again = ScriptedModel(script)
    retry = await (await gateway_with(again)).post(
        f"/api/{user}/chat", json=body, headers=auth_header(user)
    )
    assert retry.status_code == 200, retry.text
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Buy flour"]
    first.assert_complete()
    again.assert_complete()
    [call] = retry.json()["tool_calls"]
    assert call["status"] == "ok"
    assert call["result"]["task_id"] == tasks(mcp_server.url, user)[0]["id"]


class HeldModel(Model):
    """Answers only once `release` is set: a turn that is still running."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0

    async def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        self.calls += 1
        self.started.set()
        await self.release.wait()
        message = ResponseOutputMessage(
            id="msg_held",
            type="message",
            role="assistant",
            status="completed",
            content=[ResponseOutputText(type="output_text", text="Done.", annotations=[])],
        )
        return ModelResponse(output=[message], usage=Usage(requests=1), response_id=None)

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        raise NotImplementedError  # REST turns are not streamed
        yield


async def test_a_message_whose_turn_is_running_is_409_and_answered_once(
    gateway_with, history_server
):
    model = HeldModel()
    client = await gateway_with(model)
    user = new_user()
    body = {"message": "Hello there", "message_id": "m-held"}
    first = asyncio.create_task(
        client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))
    )
    await asyncio.wait_for(model.started.wait(), 30)

    second = await client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert int(second.headers["retry-after"]) >= 1
    model.release.set()
    answered = await first
    assert answered.status_code == 200, answered.text
    retried = await client.post(f"/api/{user}/chat", json=body, headers=auth_header(user))
    assert retried.json() == answered.json()
    assert model.calls == 1
    stored = messages(history_server.url, user, conversation_id_for(user, "m-held"))
    assert [m["role"] for m in stored] == ["user", "assistant"]
    assert "turn_lease" not in stored[0]["metadata"]  # released when the turn ended
