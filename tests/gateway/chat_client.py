"""Small clients of the running services, for the gateway's cross-service tests."""

import json
import uuid
from typing import Any

import httpx2
from chatkit.types import ThreadStreamEvent
from pydantic import TypeAdapter

from todo_testing.tokens import auth_header

_events = TypeAdapter[ThreadStreamEvent](ThreadStreamEvent)
TIMEOUT = 30


def new_user(prefix: str = "user") -> str:
    """A user nobody else in the session uses, so tests never see each other's data."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def chat(base_url: str, user: str, message: str, **fields: Any) -> httpx2.Response:
    """POST /api/{user}/chat."""
    body = {"message": message, **{k: v for k, v in fields.items() if v is not None}}
    return httpx2.post(
        f"{base_url}/api/{user}/chat", json=body, headers=auth_header(user), timeout=TIMEOUT
    )


def chat_ok(base_url: str, user: str, message: str, **fields: Any) -> dict[str, Any]:
    """A chat turn that must succeed."""
    response = chat(base_url, user, message, **fields)
    assert response.status_code == 200, response.text
    return response.json()


def tasks(mcp_url: str, user: str, **params: Any) -> list[dict[str, Any]]:
    """The user's tasks, read through mcp-server's REST face."""
    response = httpx2.get(
        f"{mcp_url}/api/{user}/tasks",
        params={"limit": 100, **params},
        headers=auth_header(user),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return body["items"] if "items" in body else body["tasks"]


def add_task(mcp_url: str, user: str, title: str) -> dict[str, Any]:
    """Create a task directly through mcp-server's REST face."""
    response = httpx2.post(
        f"{mcp_url}/api/{user}/tasks",
        json={"title": title},
        headers=auth_header(user),
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    return response.json()


def messages(history_url: str, user: str, conversation_id: str) -> list[dict[str, Any]]:
    """Every message of a conversation, oldest first, read from history-service."""
    response = httpx2.get(
        f"{history_url}/api/{user}/conversations/{conversation_id}/messages",
        params={"limit": 200, "order": "asc"},
        headers=auth_header(user),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def chatkit(base_url: str, user: str, request_type: str, **params: Any) -> httpx2.Response:
    """POST /chatkit with one ChatKit request."""
    body = {"type": request_type, "params": params, "metadata": {}}
    return httpx2.post(f"{base_url}/chatkit", json=body, headers=auth_header(user), timeout=TIMEOUT)


def chatkit_json(base_url: str, user: str, request_type: str, **params: Any) -> dict[str, Any]:
    """A non-streaming ChatKit request that must succeed."""
    response = chatkit(base_url, user, request_type, **params)
    assert response.status_code == 200, response.text
    return response.json()


def chatkit_stream(
    base_url: str, user: str, request_type: str, **params: Any
) -> list[dict[str, Any]]:
    """A streaming ChatKit request: its SSE events, each validated against ChatKit's own types."""
    response = chatkit(base_url, user, request_type, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = []
    for frame in response.text.split("\n\n"):
        if frame.strip():
            assert frame.startswith("data: "), frame
            payload = json.loads(frame.removeprefix("data: "))
            _events.validate_python(payload)
            events.append(payload)
    return events


def user_input(text: str) -> dict[str, Any]:
    """ChatKit's `UserMessageInput` for plain text."""
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


def streamed_text(events: list[dict[str, Any]]) -> str:
    """The assistant message text a stream delivered (its final `thread.item.done`)."""
    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert done, events
    return "".join(part["text"] for part in done[-1]["content"])
