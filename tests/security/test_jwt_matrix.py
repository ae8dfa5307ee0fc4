"""The JWT attack matrix on every face of every service: each broken token is a 401 problem,
never a 500, and nothing of the user it names is returned or changed."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from tests.security.conftest import (
    RAW_AUTH_HEADERS,
    TIMEOUT,
    Keys,
    Stack,
    Victim,
    attack_tokens,
    bearer,
    hs256,
    rs256,
    user_input,
)

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@dataclass(frozen=True)
class Face:
    """One request a caller can make; `path` and `body` are filled in from the victim."""

    service: str
    method: str
    path: Callable[[Victim], str]
    body: Callable[[Victim], Any] | None = None
    headers: dict[str, str] | None = None


def _chatkit(request_type: str, params: Callable[[Victim], dict[str, Any]]) -> Face:
    return Face(
        "gateway",
        "POST",
        lambda v: "/chatkit",
        lambda v: {"type": request_type, "params": params(v), "metadata": {}},
    )


def _mcp_call(name: str, arguments: Callable[[Victim], dict[str, Any]]) -> Face:
    return Face(
        "mcp",
        "POST",
        lambda v: "/mcp",
        lambda v: {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments(v)},
        },
        MCP_HEADERS,
    )


FACES: dict[str, Face] = {
    "history.list_conversations": Face(
        "history", "GET", lambda v: f"/api/{v.user_id}/conversations"
    ),
    "history.get_conversation": Face(
        "history", "GET", lambda v: f"/api/{v.user_id}/conversations/{v.conversation_id}"
    ),
    "history.list_messages": Face(
        "history", "GET", lambda v: f"/api/{v.user_id}/conversations/{v.conversation_id}/messages"
    ),
    "history.rename": Face(
        "history",
        "PATCH",
        lambda v: f"/api/{v.user_id}/conversations/{v.conversation_id}",
        lambda v: {"title": "pwned"},
    ),
    "history.add_message": Face(
        "history",
        "POST",
        lambda v: f"/api/{v.user_id}/conversations/{v.conversation_id}/messages",
        lambda v: {"role": "user", "content": "pwned"},
    ),
    "tasks.list": Face("mcp", "GET", lambda v: f"/api/{v.user_id}/tasks"),
    "tasks.get": Face("mcp", "GET", lambda v: f"/api/{v.user_id}/tasks/{v.task_id}"),
    "tasks.complete": Face(
        "mcp", "PATCH", lambda v: f"/api/{v.user_id}/tasks/{v.task_id}/complete"
    ),
    "tasks.create": Face(
        "mcp", "POST", lambda v: f"/api/{v.user_id}/tasks", lambda v: {"title": "x"}
    ),
    "mcp.initialize": Face(
        "mcp",
        "POST",
        lambda v: "/mcp",
        lambda v: {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "attacker", "version": "1"},
            },
        },
        MCP_HEADERS,
    ),
    "mcp.list_tasks": _mcp_call("list_tasks", lambda v: {}),
    "mcp.complete_task": _mcp_call("complete_task", lambda v: {"task_id": v.task_id}),
    "mcp.delete_task": _mcp_call("delete_task", lambda v: {"task_id": v.task_id}),
    "gateway.rest_chat": Face(
        "gateway",
        "POST",
        lambda v: f"/api/{v.user_id}/chat",
        lambda v: {"message": "show all my tasks", "conversation_id": v.conversation_id},
    ),
    "chatkit.threads.create": _chatkit(
        "threads.create", lambda v: {"input": user_input("show all my tasks")}
    ),
    "chatkit.threads.add_user_message": _chatkit(
        "threads.add_user_message",
        lambda v: {"thread_id": v.thread_id, "input": user_input("show all my tasks")},
    ),
    "chatkit.threads.get_by_id": _chatkit(
        "threads.get_by_id", lambda v: {"thread_id": v.thread_id}
    ),
    "chatkit.threads.list": _chatkit("threads.list", lambda v: {"limit": 10}),
    "chatkit.items.list": _chatkit("items.list", lambda v: {"thread_id": v.thread_id}),
    "chatkit.threads.update": _chatkit(
        "threads.update", lambda v: {"thread_id": v.thread_id, "title": "pwned"}
    ),
    "chatkit.threads.delete": _chatkit("threads.delete", lambda v: {"thread_id": v.thread_id}),
    "chatkit.items.feedback": _chatkit(
        "items.feedback",
        lambda v: {"thread_id": v.thread_id, "item_ids": v.item_ids, "kind": "negative"},
    ),
    "chatkit.threads.retry_after_item": _chatkit(
        "threads.retry_after_item", lambda v: {"thread_id": v.thread_id, "item_id": v.item_ids[0]}
    ),
    "chatkit.threads.add_client_tool_output": _chatkit(
        "threads.add_client_tool_output", lambda v: {"thread_id": v.thread_id, "result": {}}
    ),
    "chatkit.threads.add_structured_input": _chatkit(
        "threads.add_structured_input",
        lambda v: {"thread_id": v.thread_id, "item_id": v.item_ids[0], "input": {}},
    ),
    "chatkit.threads.custom_action": _chatkit(
        "threads.custom_action",
        lambda v: {"thread_id": v.thread_id, "action": {"type": "x", "payload": {}}},
    ),
    "chatkit.threads.sync_custom_action": _chatkit(
        "threads.sync_custom_action",
        lambda v: {"thread_id": v.thread_id, "action": {"type": "x", "payload": {}}},
    ),
    "chatkit.attachments.create": _chatkit(
        "attachments.create", lambda v: {"name": "a.txt", "size": 1, "mime_type": "text/plain"}
    ),
    "chatkit.attachments.delete": _chatkit("attachments.delete", lambda v: {"attachment_id": "a"}),
    "chatkit.input.transcribe": _chatkit(
        "input.transcribe", lambda v: {"audio_base64": "AAAA", "mime_type": "audio/webm"}
    ),
}


def send(stack: Stack, face: Face, victim: Victim, authorization: str | None) -> httpx2.Response:
    headers = {**(face.headers or {})}
    if authorization is not None:
        headers["Authorization"] = authorization
    body = None
    if face.body is not None:
        body = json.dumps(face.body(victim)).encode()
        headers.setdefault("Content-Type", "application/json")
    return httpx2.request(
        face.method,
        stack.services[face.service].url + face.path(victim),
        content=body,
        headers=headers,
        timeout=TIMEOUT,
    )


@pytest.fixture(scope="module")
def attempts(keys: Keys, victim: Victim) -> dict[str, str | None]:
    """Each broken token (naming the victim) as an Authorization header, and broken headers."""
    tokens = attack_tokens(keys, victim.user_id)
    return {name: f"Bearer {token}" for name, token in tokens.items()} | RAW_AUTH_HEADERS


@pytest.mark.parametrize("face_name", list(FACES))
def test_every_broken_token_is_a_401_and_reveals_nothing(
    face_name: str, stack: Stack, victim: Victim, attempts: dict[str, str | None]
):
    face = FACES[face_name]
    wrong: list[str] = []
    for name, authorization in attempts.items():
        try:
            response = send(stack, face, victim, authorization)
        except (httpx2.HTTPError, UnicodeEncodeError) as exc:
            if name == "non_ascii":
                continue  # the client itself cannot send it: nothing reached the server
            wrong.append(f"{name}: {exc!r}")
            continue
        if response.status_code != 401 or victim.secret in response.text:
            wrong.append(f"{name}: {response.status_code} {response.text[:200]}")
        elif face.service != "mcp":
            assert response.headers["content-type"].startswith("application/problem+json"), name
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("face_name", ["history.list_messages", "tasks.get", "mcp.list_tasks"])
def test_the_good_tokens_are_accepted(face_name: str, stack: Stack, keys: Keys, victim: Victim):
    # The matrix above would pass against a service that refuses everything: these show that
    # the same requests with a valid RS256 or HS256 token get the victim's own data.
    for token in (rs256(keys, victim.user_id), hs256(victim.user_id)):
        response = send(stack, FACES[face_name], victim, bearer(token)["Authorization"])
        assert response.status_code == 200, response.text
        assert victim.secret in response.text


def test_the_victims_data_survived_the_matrix(stack: Stack, keys: Keys, victim: Victim):
    headers = bearer(rs256(keys, victim.user_id))
    task = httpx2.get(
        f"{stack.mcp.url}/api/{victim.user_id}/tasks/{victim.task_id}", headers=headers
    ).json()
    conversation = httpx2.get(
        f"{stack.history.url}/api/{victim.user_id}/conversations/{victim.conversation_id}",
        headers=headers,
    ).json()
    thread = httpx2.post(
        f"{stack.gateway.url}/chatkit",
        json={"type": "threads.get_by_id", "params": {"thread_id": victim.thread_id}},
        headers=headers,
    )
    assert (task["title"], task["completed"]) == (victim.secret, False)
    assert conversation["title"] == victim.secret
    assert conversation["message_count"] == 1
    assert thread.status_code == 200
