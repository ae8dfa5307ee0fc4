"""A deterministic Chat Completions server on loopback: the model of the benchmark's provider path.

The answer depends only on the request. While the last message is the user's, a message asking to
add, list or complete gets a tool call (add_task, list_tasks or complete_task) and anything else a
short text; once the last message is a tool result, the answer is a text that quotes its start.
Streamed as Server-Sent Events when the request says `stream`, else one JSON completion, like the
real API. aiohttp and no validation, so that its own CPU per turn stays small and is counted apart.

    PORT=8010 python bench/fake_chat_completions.py
"""

import json
import os
import re
from typing import Any

from aiohttp import web

CREATED = 1_700_000_000
NUMBER = re.compile(r"\d+")


def answer(messages: list[dict[str, Any]]) -> tuple[str, dict[str, Any] | None]:
    """(text, tool call or None) for this conversation."""
    last = messages[-1]
    if last.get("role") == "tool":
        return f"Done. {str(last.get('content', ''))[:60]}", None
    said = str(last.get("content", ""))
    lowered = said.lower()
    call_id = f"call_{len(messages)}"
    if lowered.startswith("add"):
        title = said.split(" to ", 1)[-1].strip().capitalize() or "Something"
        return "", _call(call_id, "add_task", {"title": title})
    if "complete" in lowered and (number := NUMBER.search(said)):
        return "", _call(call_id, "complete_task", {"task_id": int(number.group())})
    if "pending" in lowered:
        return "", _call(call_id, "list_tasks", {"status": "pending"})
    if "show" in lowered or "list" in lowered:
        return "", _call(call_id, "list_tasks", {"status": "all"})
    return "Hello! I can add, list, complete and delete your tasks.", None


def _call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def _completion(model: str, text: str, call: dict[str, Any] | None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if call is not None:
        message["tool_calls"] = [call]
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if call else "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _chunks(model: str, text: str, call: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The stream's deltas: a tool call in two pieces of arguments, or the text word by word."""
    deltas: list[tuple[dict[str, Any], str | None]] = []
    if call is not None:
        arguments = call["function"]["arguments"]
        head = {**call, "index": 0, "function": {"name": call["function"]["name"], "arguments": ""}}
        deltas.append(({"role": "assistant", "tool_calls": [head]}, None))
        for part in (arguments[:10], arguments[10:]):
            deltas.append(({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}, None))
        deltas.append(({}, "tool_calls"))
    else:
        deltas.append(({"role": "assistant", "content": ""}, None))
        words = text.split(" ")
        for i, word in enumerate(words):
            deltas.append(({"content": word + (" " if i < len(words) - 1 else "")}, None))
        deltas.append(({}, "stop"))
    return [
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        for delta, finish in deltas
    ]


async def completions(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    model = str(body.get("model", "fake"))
    text, call = answer(body["messages"])
    if not body.get("stream"):
        return web.json_response(_completion(model, text, call))
    events = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in _chunks(model, text, call))
    return web.Response(body=events + "data: [DONE]\n\n", content_type="text/event-stream")


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def application() -> web.Application:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(
        application(), host="127.0.0.1", port=int(os.environ["PORT"]), print=None, access_log=None
    )
