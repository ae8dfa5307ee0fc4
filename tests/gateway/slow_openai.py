"""A Chat Completions server on loopback that asks for one `add_task` call at once, then never
answers the turn: a model slower than any turn deadline (as a stream for ChatKit turns, as one
JSON completion for REST turns, like the real API)."""

import asyncio
import json
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

app = FastAPI()
TITLE = "Water the garden"
CALL = {
    "id": "call_slow_1",
    "type": "function",
    "function": {"name": "add_task", "arguments": json.dumps({"title": TITLE})},
}


def _body(kind: str, choice: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-slow",
        "object": kind,
        "created": 0,
        "model": "slow-model",
        "choices": [choice],
    }


@app.post("/v1/chat/completions", response_model=None)
async def completions(request: Request) -> StreamingResponse | dict[str, Any]:
    body = await request.json()
    if any(message["role"] == "tool" for message in body["messages"]):
        await asyncio.sleep(3600)  # the answer after the tool call never comes
    if not body.get("stream"):
        message = {"role": "assistant", "content": None, "tool_calls": [CALL]}
        completion = _body(
            "chat.completion", {"index": 0, "message": message, "finish_reason": "tool_calls"}
        )
        return {
            **completion,
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    delta = {"role": "assistant", "tool_calls": [{"index": 0, **CALL}]}
    chunks = [
        _body("chat.completion.chunk", {"index": 0, "delta": delta, "finish_reason": None}),
        _body("chat.completion.chunk", {"index": 0, "delta": {}, "finish_reason": "tool_calls"}),
    ]
    frames = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks] + ["data: [DONE]\n\n"]
    return StreamingResponse(iter(frames), media_type="text/event-stream")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
