"""No state in the gateway: a conversation survives restarts and moves between instances."""

from concurrent.futures import ThreadPoolExecutor

from tests.gateway.chat_client import add_task, chat_ok, messages, new_user


def test_conversation_continues_across_a_restart_and_alternating_instances(
    gateway_server, second_gateway, history_server
):
    user = new_user()
    first = chat_ok(gateway_server.url, user, "Add a task to renew passport")
    conversation_id = first["conversation_id"]
    second = chat_ok(
        second_gateway.url, user, "Add a task to book hotel", conversation_id=conversation_id
    )

    second_gateway.restart()
    third = chat_ok(second_gateway.url, user, "What's pending?", conversation_id=conversation_id)
    fourth = chat_ok(
        gateway_server.url, user, "Delete the hotel task", conversation_id=conversation_id
    )

    assert "Renew passport" in third["response"]
    assert "Book hotel" in third["response"]
    assert "Book hotel" in fourth["response"]
    assert {second["conversation_id"], third["conversation_id"]} == {conversation_id}
    users = [m for m in messages(history_server.url, user, conversation_id) if m["role"] == "user"]
    assert len(users) == 4


def test_concurrent_turns_of_two_users_never_see_each_others_tasks(gateway_server, mcp_server):
    alice, bob = new_user("alice"), new_user("bob")
    add_task(mcp_server.url, alice, "Alice secret plan")
    add_task(mcp_server.url, bob, "Bob secret plan")

    def show(user):
        return user, chat_ok(gateway_server.url, user, "Show me all my tasks")["response"]

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(show, [alice, bob] * 12))

    for user, reply in replies:
        mine, theirs = ("Alice", "Bob") if user == alice else ("Bob", "Alice")
        assert f"{mine} secret plan" in reply
        assert theirs not in reply
