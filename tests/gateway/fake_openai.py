"""A tiny OpenAI-compatible Chat Completions server on loopback, for the real OpenAI client path.

It asks for `add_task` when the conversation has no tool result yet, then answers in text;
streamed as Server-Sent Events when the request says `stream` (ChatKit turns), else as one JSON
completion (REST turns), like the real API.
"""

import json
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

app = FastAPI()
app.state.requests = []
TITLE = "Water the garden"


def _chunk(delta: dict[str, Any], finish: str | None = None) -> str:
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


def _tool_call_stream(title: str) -> list[str]:
    arguments = json.dumps({"title": title})
    call = {
        "index": 0,
        "id": "call_fake_1",
        "type": "function",
        "function": {"name": "add_task", "arguments": ""},
    }
    return [
        _chunk({"role": "assistant", "tool_calls": [call]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": arguments[:10]}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": arguments[10:]}}]}),
        _chunk({}, "tool_calls"),
    ]


def _text_stream(text: str) -> list[str]:
    words = text.split(" ")
    chunks = [_chunk({"role": "assistant", "content": ""})]
    chunks += [
        _chunk({"content": word + (" " if i < len(words) - 1 else "")})
        for i, word in enumerate(words)
    ]
    return [*chunks, _chunk({}, "stop")]


def _completion(message: dict[str, Any], finish: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@app.post("/v1/chat/completions", response_model=None)
async def completions(request: Request) -> StreamingResponse | dict[str, Any]:
    body = await request.json()
    app.state.requests.append(body)
    tool_results = [m for m in body["messages"] if m["role"] == "tool"]
    answering = bool(tool_results) and body["messages"][-1]["role"] == "tool"
    text = f"All set: I added it. The tool said {tool_results[-1]['content']}" if answering else ""
    if not body.get("stream"):
        if answering:
            return _completion({"role": "assistant", "content": text}, "stop")
        call = {
            "id": "call_fake_1",
            "type": "function",
            "function": {"name": "add_task", "arguments": json.dumps({"title": TITLE})},
        }
        return _completion(
            {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
        )
    chunks = _text_stream(text) if answering else _tool_call_stream(TITLE)
    return StreamingResponse(iter([*chunks, "data: [DONE]\n\n"]), media_type="text/event-stream")


@app.get("/requests")
async def requests() -> list[dict[str, Any]]:
    return app.state.requests


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
