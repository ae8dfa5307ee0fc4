"""A tiny OpenAI-compatible Chat Completions server on loopback, for the real OpenAI client path.

It asks for `add_task` when the conversation has no tool result yet, then answers in text;
both answers are streamed as Server-Sent Events exactly like the real API.
"""

import json
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

app = FastAPI()
app.state.requests = []


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


@app.post("/v1/chat/completions")
async def completions(request: Request) -> StreamingResponse:
    body = await request.json()
    app.state.requests.append(body)
    tool_results = [m for m in body["messages"] if m["role"] == "tool"]
    if tool_results and body["messages"][-1]["role"] == "tool":
        result = tool_results[-1]["content"]
        chunks = _text_stream(f"All set: I added it. The tool said {result}")
    else:
        chunks = _tool_call_stream("Water the garden")
    return StreamingResponse(iter([*chunks, "data: [DONE]\n\n"]), media_type="text/event-stream")


@app.get("/requests")
async def requests() -> list[dict[str, Any]]:
    return app.state.requests


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
