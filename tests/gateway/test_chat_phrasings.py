"""Every documented phrasing (README, "Use it"), through both endpoints, with the offline model."""

import re

import pytest

from tests.gateway.chat_client import add_task, new_user, tasks
from tests.gateway.conversation import Conversation

pytestmark = pytest.mark.parametrize("endpoint", ["rest", "chatkit"])


def friendly(reply: str) -> bool:
    """A sentence, not a stack trace or a JSON dump."""
    return bool(re.search(r"[A-Za-z].*[.!?:]", reply)) and not reply.lstrip().startswith("{")


def titles(mcp_url: str, user: str, **params: str) -> list[str]:
    return sorted(task["title"] for task in tasks(mcp_url, user, **params))


def complete(mcp_url: str, user: str, task_id: int) -> None:
    import httpx2

    from todo_testing.tokens import auth_header

    response = httpx2.patch(
        f"{mcp_url}/api/{user}/tasks/{task_id}", json={"completed": True}, headers=auth_header(user)
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("Add a task to buy groceries", "Buy groceries"),
        ("I need to remember to pay bills", "Pay bills"),
    ],
)
def test_add(gateway_server, mcp_server, endpoint, message, title):
    user = new_user()
    reply = Conversation(gateway_server.url, user, endpoint).say(message)
    assert titles(mcp_server.url, user) == [title]
    assert title in reply
    assert friendly(reply)


def test_show_all_pending_and_completed(gateway_server, mcp_server, endpoint):
    user = new_user()
    add_task(mcp_server.url, user, "Water plants")
    done = add_task(mcp_server.url, user, "File taxes")
    complete(mcp_server.url, user, done["id"])
    conversation = Conversation(gateway_server.url, user, endpoint)

    everything = conversation.say("Show me all my tasks")
    pending = conversation.say("What's pending?")
    completed = conversation.say("What have I completed?")

    assert "Water plants" in everything
    assert "File taxes" in everything
    assert "Water plants" in pending
    assert "File taxes" not in pending
    assert "File taxes" in completed
    assert "Water plants" not in completed
    assert all(friendly(reply) for reply in (everything, pending, completed))


def test_mark_complete_by_number(gateway_server, mcp_server, endpoint):
    user = new_user()
    task = add_task(mcp_server.url, user, "Buy groceries")
    reply = Conversation(gateway_server.url, user, endpoint).say(
        f"Mark task {task['id']} as complete"
    )
    assert titles(mcp_server.url, user, status="completed") == ["Buy groceries"]
    assert "complete" in reply.lower()
    assert friendly(reply)


def test_delete_by_title_chains_list_then_delete(gateway_server, mcp_server, endpoint):
    user = new_user()
    add_task(mcp_server.url, user, "Team meeting at 3pm")
    add_task(mcp_server.url, user, "Buy groceries")
    conversation = Conversation(gateway_server.url, user, endpoint)
    question = conversation.say("Delete the meeting task")
    assert "Team meeting at 3pm" in question  # it asks first, naming the task
    assert len(tasks(mcp_server.url, user)) == 2
    reply = conversation.decide("approve")
    assert titles(mcp_server.url, user) == ["Buy groceries"]
    assert "Team meeting at 3pm" in reply
    assert friendly(reply)


def test_change_title_by_number(gateway_server, mcp_server, endpoint):
    user = new_user()
    task = add_task(mcp_server.url, user, "Call mom")
    reply = Conversation(gateway_server.url, user, endpoint).say(
        f"Change task {task['id']} to 'Call mom tonight'"
    )
    assert titles(mcp_server.url, user) == ["Call mom tonight"]
    assert "Call mom tonight" in reply
    assert friendly(reply)


def test_paraphrases_and_title_references(gateway_server, mcp_server, endpoint):
    user = new_user()
    conversation = Conversation(gateway_server.url, user, endpoint)
    conversation.say("remind me to water the plants")
    conversation.say("create a task called Book flights")
    conversation.say("I finished watering the plants")
    assert titles(mcp_server.url, user, status="pending") == ["Book flights"]
    conversation.say("rename the flights task to Book flights to Rome")
    conversation.say("remove the Rome task")
    conversation.decide("approve")
    assert titles(mcp_server.url, user) == ["Water the plants"]


def test_ambiguous_not_found_and_out_of_domain(gateway_server, mcp_server, endpoint):
    user = new_user()
    add_task(mcp_server.url, user, "Meeting with Ann")
    add_task(mcp_server.url, user, "Meeting with Bob")
    conversation = Conversation(gateway_server.url, user, endpoint)

    which = conversation.say("Delete the meeting task")
    missing = conversation.say("Mark task 99999 as complete")
    unknown = conversation.say("What's the weather like?")

    assert "Which one" in which
    assert len(tasks(mcp_server.url, user)) == 2
    assert "couldn't find task #99999" in missing
    assert "Here is what I can do" in unknown
