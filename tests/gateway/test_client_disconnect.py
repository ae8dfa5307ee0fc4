"""A client that hangs up mid-answer: the partial answer is stored, marked partial."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
import uvicorn
from agents import Model, ModelProvider
from openai.types.responses import ResponseOutputMessage, ResponseOutputText

from agent_gateway.app import create_app
from agent_gateway.models.offline import stream_events
from agent_gateway.settings import Settings
from tests.gateway.chat_client import new_user, user_input
from todo_testing.postgres import free_port
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

PARTIAL = "Here is the first half of a long answer that the user will never see finished"
STREAMED_DELTAS = 2


def partial_message() -> ResponseOutputMessage:
    """The whole answer the stalling model starts to stream."""
    return ResponseOutputMessage(
        id="msg_stalling",
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text=PARTIAL, annotations=[])],
    )


def streamed_before_the_stall() -> str:
    """The text of the deltas the stalling model sends before it stalls."""
    events = stream_events(partial_message())
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    return "".join(deltas[:STREAMED_DELTAS])


class StallingModel(Model):
    """Streams the start of an answer, then never finishes (as a slow model would)."""

    async def get_response(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        message = ResponseOutputMessage(
            id="msg_stalling",
            type="message",
            role="assistant",
            status="completed",
            content=[ResponseOutputText(type="output_text", text=PARTIAL, annotations=[])],
        )
        deltas = 0
        for event in stream_events(message):
            deltas += event.type == "response.output_text.delta"
            if deltas > STREAMED_DELTAS:
                break
            yield event
        await asyncio.Event().wait()  # stalls mid-answer until the request is cancelled


class StallingProvider(ModelProvider):
    def get_model(self, model_name: str | None) -> Model:
        return StallingModel()


@pytest.fixture
async def stalling_gateway(history_server, mcp_server) -> AsyncIterator[str]:
    """A gateway with the stalling model, served by uvicorn on a real socket (real disconnects)."""
    settings = Settings(
        app_env="test",
        auth_jwt_secret=TEST_JWT_SECRET,
        history_service_url=history_server.url,
        mcp_server_url=f"{mcp_server.url}/mcp",
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, StallingProvider()), host="127.0.0.1", port=port, log_config=None
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the in-process gateway did not start"
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving


async def test_the_partial_answer_is_stored_when_the_client_disconnects(
    stalling_gateway, history_server
):
    user = new_user()
    request = {"type": "threads.create", "params": {"input": user_input("Tell me a long story")}}
    thread_id = None
    async with (
        httpx2.AsyncClient(base_url=stalling_gateway, timeout=30) as client,
        client.stream("POST", "/chatkit", json=request, headers=auth_header(user)) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line.removeprefix("data: "))
            if event["type"] == "thread.created":
                thread_id = event["thread"]["id"]
            if event["type"] == "thread.item.updated" and "delta" in json.dumps(event):
                break  # hang up after the first words of the answer
    assert thread_id is not None

    messages_url = f"{history_server.url}/api/{user}/conversations/{thread_id}/messages"

    async def stored_partial() -> dict | None:
        async with httpx2.AsyncClient() as client:
            items = (await client.get(messages_url, headers=auth_header(user))).json()["items"]
        return next((m for m in items if m["role"] == "assistant"), None)

    deadline = time.monotonic() + 20
    while (answer := await stored_partial()) is None:
        assert time.monotonic() < deadline, "the partial answer was never stored"
        await asyncio.sleep(0.05)
    partial = streamed_before_the_stall()
    assert answer["content"] == partial
    assert 0 < len(partial.strip()) < len(PARTIAL)
    assert answer["metadata"]["partial"] is True
