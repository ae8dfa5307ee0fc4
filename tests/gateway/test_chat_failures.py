"""Downstream failures: clear problems, the user's message kept, nothing invented, retries work."""

from tests.conftest import gateway_env, start_service
from tests.gateway.chat_client import chat, chat_ok, chatkit, messages, new_user, tasks, user_input


def test_history_service_down_is_503_and_a_retry_stores_one_message(private_stack):
    stack = private_stack
    user = new_user()
    conversation_id = chat_ok(stack.gateway.url, user, "hello")["conversation_id"]

    stack.history.stop()
    try:
        response = chat(
            stack.gateway.url,
            user,
            "Add a task to fix the bike",
            conversation_id=conversation_id,
            message_id="retry-1",
        )
        streamed = chatkit(stack.gateway.url, user, "threads.create", input=user_input("hi"))
    finally:
        stack.history.start()

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "history" in response.json()["detail"]
    assert streamed.status_code == 503
    for _ in range(2):
        retried = chat_ok(
            stack.gateway.url,
            user,
            "Add a task to fix the bike",
            conversation_id=conversation_id,
            message_id="retry-1",
        )
        assert "Fix the bike" in retried["response"]
    stored = messages(stack.history.url, user, conversation_id)
    assert [m["id"] for m in stored].count("retry-1") == 1
    assert [m["role"] for m in stored] == ["user", "assistant", "user", "tool", "assistant"]
    assert [t["title"] for t in tasks(stack.mcp.url, user)] == ["Fix the bike"]


def test_mcp_server_down_is_a_503_carrying_the_stored_reply_and_a_retry_finishes(private_stack):
    stack = private_stack
    user = new_user()
    chat_ok(stack.gateway.url, user, "Add a task to warm up the connection")

    stack.mcp.stop()
    try:
        during = chat(stack.gateway.url, user, "Add a task to call the plumber", message_id="p-1")
    finally:
        stack.mcp.start()

    assert during.status_code == 503
    assert during.headers["content-type"] == "application/problem+json"
    assert int(during.headers["retry-after"]) > 0
    body = during.json()
    assert "task tools are unavailable" in body["response"]
    assert body["tool_calls"] == []
    conversation_id = body["conversation_id"]
    stored = messages(stack.history.url, user, conversation_id)
    assert [m["role"] for m in stored] == ["user", "assistant"]
    assert stored[-1]["metadata"]["partial"] is True

    after = chat_ok(stack.gateway.url, user, "Add a task to call the plumber", message_id="p-1")
    assert "Call the plumber" in after["response"]
    assert after["conversation_id"] == conversation_id
    stored = messages(stack.history.url, user, conversation_id)
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]
    assert "partial" not in stored[-1]["metadata"]
    assert [t["title"] for t in tasks(stack.mcp.url, user)].count("Call the plumber") == 1


def test_a_call_whose_answer_is_lost_is_unknown_not_failed_and_a_retry_settles_it(
    private_stack,
):
    stack = private_stack
    # One shared MCP connection, so the turn after the outage uses the one that worked before.
    env = gateway_env(stack.history, stack.mcp, MCP_CONNECTIONS="1")
    gateway = start_service("agent_gateway.main", "gateway-one-mcp-connection", env)
    user = new_user()
    try:
        first = chat_ok(gateway.url, user, "Add a task to warm up the connection")
        conversation_id = first["conversation_id"]
        stack.mcp.stop()
        try:
            during = chat(
                gateway.url,
                user,
                "Add a task to call the plumber",
                conversation_id=conversation_id,
                message_id="lost-1",
            )
        finally:
            stack.mcp.start()
        after = chat_ok(
            gateway.url,
            user,
            "Add a task to call the plumber",
            conversation_id=conversation_id,
            message_id="lost-1",
        )
    finally:
        gateway.stop()

    assert during.status_code == 503
    body = during.json()
    assert "can't tell whether that went through" in body["response"]
    assert "couldn't add" not in body["response"]
    assert body["tool_calls"] == []  # the call's outcome is unknown: not stored as done
    assert "Call the plumber" in after["response"]
    [call] = after["tool_calls"]
    assert (call["name"], call["status"]) == ("add_task", "ok")
    stored = messages(stack.history.url, user, conversation_id)
    assert [m["role"] for m in stored[3:]] == ["user", "tool", "assistant"]
    assert [t["title"] for t in tasks(stack.mcp.url, user)].count("Call the plumber") == 1
