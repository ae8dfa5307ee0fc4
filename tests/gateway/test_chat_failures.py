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


def test_mcp_server_down_gives_a_stored_answer_that_says_so(private_stack):
    stack = private_stack
    user = new_user()
    chat_ok(stack.gateway.url, user, "Add a task to warm up the connection")

    stack.mcp.stop()
    try:
        during = chat_ok(stack.gateway.url, user, "Add a task to call the plumber")
        later = chat_ok(
            stack.gateway.url, user, "What's pending?", conversation_id=during["conversation_id"]
        )
    finally:
        stack.mcp.start()
    after = chat_ok(stack.gateway.url, user, "Add a task to call the plumber")

    for reply in (during, later):
        assert "task tools are unavailable" in reply["response"]
    stored = messages(stack.history.url, user, during["conversation_id"])
    assert stored[-1]["role"] == "assistant"
    assert "unavailable" in stored[-1]["content"]
    assert "Call the plumber" in after["response"]
    assert "Call the plumber" in [t["title"] for t in tasks(stack.mcp.url, user)]


def test_a_call_mcp_server_stops_answering_is_kept_as_such_and_a_later_turn_reconnects(
    private_stack,
):
    stack = private_stack
    # One shared MCP connection, so the turn after the outage uses the one that worked before.
    env = gateway_env(stack.history, stack.mcp, MCP_CONNECTIONS="1")
    gateway = start_service("agent_gateway.main", "gateway-one-mcp-connection", env)
    user = new_user()
    try:
        chat_ok(gateway.url, user, "Add a task to warm up the connection")
        stack.mcp.stop()
        try:
            during = chat_ok(gateway.url, user, "Add a task to call the plumber")
        finally:
            stack.mcp.start()
        after = chat_ok(
            gateway.url,
            user,
            "Add a task to call the plumber",
            conversation_id=during["conversation_id"],
        )
    finally:
        gateway.stop()

    assert "task tools are unavailable" in during["response"]
    [call] = during["tool_calls"]
    assert (call["name"], call["status"]) == ("add_task", "error")
    assert isinstance(call["result"], str)  # the failure's text, no task
    stored = messages(stack.history.url, user, during["conversation_id"])
    assert [m["role"] for m in stored[:3]] == ["user", "tool", "assistant"]
    assert "Call the plumber" in after["response"]
    assert "Call the plumber" in [t["title"] for t in tasks(stack.mcp.url, user)]
