"""The REST chat endpoint: validation, ownership and idempotent retries."""

import httpx2

from tests.gateway.chat_client import chat, chat_ok, messages, new_user, tasks
from todo_testing.tokens import auth_header


def conversations(history_url, user):
    response = httpx2.get(f"{history_url}/api/{user}/conversations", headers=auth_header(user))
    return response.json()["items"]


def test_a_message_over_10000_characters_is_422_and_nothing_is_stored(
    gateway_server, history_server
):
    user = new_user()
    response = chat(gateway_server.url, user, "x" * 10_001)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "message"
    assert conversations(history_server.url, user) == []
    assert chat(gateway_server.url, user, "x" * 10_000).status_code == 200


def test_another_users_conversation_is_404(gateway_server):
    owner, stranger = new_user(), new_user()
    conversation_id = chat_ok(gateway_server.url, owner, "hello")["conversation_id"]
    response = chat(
        gateway_server.url, stranger, "Show me all my tasks", conversation_id=conversation_id
    )
    assert response.status_code == 404
    assert chat(gateway_server.url, stranger, "hi", conversation_id="nope").status_code == 404


def test_path_must_name_the_caller(gateway_server):
    user, other = new_user(), new_user()
    response = httpx2.post(
        f"{gateway_server.url}/api/{other}/chat", json={"message": "hi"}, headers=auth_header(user)
    )
    assert response.status_code == 403
    assert (
        httpx2.post(f"{gateway_server.url}/api/{user}/chat", json={"message": "hi"}).status_code
        == 401
    )


def test_a_retried_message_id_stores_and_acts_once(gateway_server, mcp_server, history_server):
    user = new_user()
    first = chat_ok(gateway_server.url, user, "Add a task to buy bread", message_id="m-1")
    again = chat_ok(gateway_server.url, user, "Add a task to buy bread", message_id="m-1")
    assert again == first
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Buy bread"]
    stored = messages(history_server.url, user, first["conversation_id"])
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]

    reused = chat(gateway_server.url, user, "Something else", message_id="m-1")
    assert reused.status_code == 409


def test_a_conversation_keeps_context_across_turns(gateway_server, history_server):
    user = new_user()
    first = chat_ok(gateway_server.url, user, "Add a task to buy bread")
    second = chat_ok(
        gateway_server.url, user, "What's pending?", conversation_id=first["conversation_id"]
    )
    assert second["conversation_id"] == first["conversation_id"]
    assert "Buy bread" in second["response"]
    assert second["tool_calls"][0]["name"] == "list_tasks"
    assert len(messages(history_server.url, user, first["conversation_id"])) == 6
