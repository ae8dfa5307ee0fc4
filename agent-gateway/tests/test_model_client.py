"""The model client's Chat Completions requests: `messages` and `tools` skip openai's type-driven
rewrite (they go in `extra_body`), and the request that leaves is the one the plain client sends."""

import json
from datetime import UTC, datetime
from typing import Any

import httpx2
from agents import FunctionTool, ModelSettings, ModelTracing, OpenAIChatCompletionsModel
from openai import AsyncOpenAI

from agent_gateway.agent import ModelClient, to_input_items
from agent_gateway.history_client import Message, StoredToolCall

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Done."}, "finish_reason": "stop"}
    ],
}
STREAM = (
    'data: {"id":"c","object":"chat.completion.chunk","created":0,"model":"m","choices":'
    '[{"index":0,"delta":{"role":"assistant","content":"Done."},"finish_reason":"stop"}]}\n\n'
    "data: [DONE]\n\n"
)


def conversation() -> list[Any]:
    """A window as a turn replays it: text, a tool call with its result, unicode, a long answer."""
    call = StoredToolCall(
        id="call_1",
        name="add_task",
        arguments={"title": "Buy milk 🥛", "tags": ["home"], "priority": "high"},
        result={"task_id": 7, "status": "created", "title": "Buy milk 🥛"},
        status="ok",
    )
    said = [
        ("user", "Add a task to buy milk 🥛", None),
        ("tool", "", [call]),
        ("assistant", "Added task 7. " * 50, None),
        ("user", "And what's pending?", None),
    ]
    messages = [
        Message(
            id=f"m{i}",
            conversation_id="c",
            role=role,
            content=content,
            tool_calls=calls,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for i, (role, content, calls) in enumerate(said)
    ]
    return to_input_items(messages)


def add_task() -> FunctionTool:
    async def invoke(_context: object, _arguments: str) -> str:
        return "ok"

    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string", "maxLength": 200},
            "tags": {"type": "array", "items": {"type": "string"}},
            "due_date": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        },
        "required": ["title"],
    }
    return FunctionTool(
        name="add_task",
        description="Add a task.",
        params_json_schema=schema,
        on_invoke_tool=invoke,
        strict_json_schema=False,
    )


async def sent_bodies(
    client_type: type[AsyncOpenAI], settings: ModelSettings, tools: list[FunctionTool]
) -> list[bytes]:
    """The request bodies the Agents SDK's Chat Completions model sends through `client_type`,
    once answered in one piece (REST-style) and once streamed."""
    bodies: list[bytes] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        bodies.append(request.content)
        if json.loads(request.content).get("stream"):
            return httpx2.Response(200, text=STREAM, headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, json=COMPLETION)

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(answer))
    client = client_type(api_key="k", base_url="http://model.test/v1", http_client=http)
    model = OpenAIChatCompletionsModel(model="m", openai_client=client)
    arguments: Any = ("Be brief.", conversation(), settings, tools, None, [])
    response = await model.get_response(*arguments, tracing=ModelTracing.DISABLED)
    assert response.output  # the answer was read back
    async for _event in model.stream_response(*arguments, tracing=ModelTracing.DISABLED):
        pass
    await http.aclose()
    return bodies


async def test_the_request_is_byte_for_byte_the_one_the_plain_client_sends():
    settings = ModelSettings(temperature=0.2, extra_body={"seed": 1})
    plain = await sent_bodies(AsyncOpenAI, settings, [add_task()])
    ours = await sent_bodies(ModelClient, settings, [add_task()])
    assert len(ours) == 2
    assert ours == plain
    sent = json.loads(ours[0])
    assert [m["role"] for m in sent["messages"]] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert sent["tools"][0]["function"]["name"] == "add_task"
    assert sent["seed"] == 1  # the caller's own extra_body still goes


async def test_a_request_without_tools_sends_none():
    plain = await sent_bodies(AsyncOpenAI, ModelSettings(), [])
    ours = await sent_bodies(ModelClient, ModelSettings(), [])
    assert ours == plain
    assert "tools" not in json.loads(ours[0])
