"""Consent before destructive and bulk changes: the turn pauses with a pending approval, the
paused run lives in history-service, and the decision, through REST or ChatKit's card and on any
gateway process, runs the change once, or nothing."""

import time
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx2
import pytest

from tests.conftest import gateway_env, start_service
from tests.gateway.chat_client import (
    TIMEOUT,
    add_task,
    chat,
    chat_ok,
    chatkit_json,
    chatkit_stream,
    messages,
    new_user,
    streamed_text,
    tasks,
    user_input,
)
from tests.gateway.test_offline_bulk import complete
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header


@contextmanager
def gateway(history: ServiceProcess, mcp: ServiceProcess, name: str, **env: str):
    """A gateway process of its own over the same services, with `env` set."""
    server = start_service("agent_gateway.main", name, gateway_env(history, mcp, **env))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def two_gateways(history_server, mcp_server):
    """Two gateway processes over the same services, with the default consent settings."""
    with (
        gateway(history_server, mcp_server, "gateway-consent-1") as first,
        gateway(history_server, mcp_server, "gateway-consent-2") as second,
    ):
        yield first, second


@pytest.fixture(scope="module")
def hasty_gateway(history_server, mcp_server):
    """A gateway whose approvals expire after a second."""
    with gateway(history_server, mcp_server, "gateway-hasty", APPROVAL_TTL_SECONDS="1") as server:
        yield server


@pytest.fixture(scope="module")
def trusting_gateway(history_server, mcp_server):
    """A gateway configured to delete one named task without asking."""
    env = {"APPROVAL_SKIP_SINGLE_DELETE": "true"}
    with gateway(history_server, mcp_server, "gateway-trusting", **env) as server:
        yield server


def decide(base_url: str, user: str, approval_id: str, decision: str) -> httpx2.Response:
    return httpx2.post(
        f"{base_url}/api/{user}/chat/approvals/{approval_id}",
        json={"decision": decision},
        headers=auth_header(user),
        timeout=TIMEOUT,
    )


def ask_to_delete(
    gateway: ServiceProcess, mcp: ServiceProcess, user: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A task, and the chat answer asking before deleting it (nothing deleted yet)."""
    task = add_task(mcp.url, user, "Buy milk")
    answer = chat_ok(gateway.url, user, f"delete task {task['id']}")
    pending = answer["pending_approval"]
    assert pending is not None, answer
    assert (pending["tool"], pending["arguments"]) == ("delete_task", {"task_id": task["id"]})
    assert pending["id"].startswith("apr_")
    assert "Confirm or cancel" in answer["response"]
    assert [t["id"] for t in tasks(mcp.url, user)] == [task["id"]]
    return task, answer


def tool_messages(history_url: str, user: str, conversation_id: str, tool: str) -> list[Any]:
    stored = messages(history_url, user, conversation_id)
    return [m for m in stored if m["role"] == "tool" and m["tool_calls"][0]["name"] == tool]


def test_approved_on_another_gateway_the_task_is_deleted_once(
    two_gateways, mcp_server, history_server
):
    first, second = two_gateways
    user = new_user()
    _task, asked = ask_to_delete(first, mcp_server, user)
    approval_id = asked["pending_approval"]["id"]

    approved = decide(second.url, user, approval_id, "approve")
    assert approved.status_code == 200, approved.text
    assert tasks(mcp_server.url, user) == []
    assert [call["name"] for call in approved.json()["tool_calls"]] == ["delete_task"]
    assert approved.json()["pending_approval"] is None
    assert "Confirm" not in approved.json()["response"]

    add_task(mcp_server.url, user, "Buy milk again")
    retried = decide(first.url, user, approval_id, "approve")
    assert retried.status_code == 200
    assert retried.json() == approved.json()
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Buy milk again"]
    assert (
        len(tool_messages(history_server.url, user, asked["conversation_id"], "delete_task")) == 1
    )


def test_retrying_the_message_gets_the_same_question(two_gateways, mcp_server):
    first, second = two_gateways
    user = new_user()
    task = add_task(mcp_server.url, user, "Buy milk")
    sent = chat(first.url, user, f"delete task {task['id']}", message_id="msg_retry_consent")
    again = chat(second.url, user, f"delete task {task['id']}", message_id="msg_retry_consent")
    assert sent.status_code == again.status_code == 200
    assert again.json()["pending_approval"] == sent.json()["pending_approval"] is not None
    assert [t["id"] for t in tasks(mcp_server.url, user)] == [task["id"]]


def test_a_decision_recorded_but_not_carried_out_is_carried_out_by_the_next_request(
    two_gateways, mcp_server, history_server
):
    """As after a gateway killed between recording the decision and running the change."""
    gateway = two_gateways[0]
    user = new_user()
    _task, asked = ask_to_delete(gateway, mcp_server, user)
    approval_id = asked["pending_approval"]["id"]
    recorded = httpx2.post(
        f"{history_server.url}/api/{user}/approvals/{approval_id}/decision",
        json={"decision": "approve"},
        headers=auth_header(user),
        timeout=TIMEOUT,
    )
    assert recorded.status_code == 200, recorded.text
    assert len(tasks(mcp_server.url, user)) == 1

    approved = decide(gateway.url, user, approval_id, "approve")
    assert approved.status_code == 200, approved.text
    assert tasks(mcp_server.url, user) == []
    assert (
        len(tool_messages(history_server.url, user, asked["conversation_id"], "delete_task")) == 1
    )


def test_rejected_the_task_is_kept_and_the_answer_says_nothing_changed(
    two_gateways, mcp_server, history_server
):
    first, second = two_gateways
    user = new_user()
    task, asked = ask_to_delete(first, mcp_server, user)
    approval_id = asked["pending_approval"]["id"]

    rejected = decide(second.url, user, approval_id, "reject")
    assert rejected.status_code == 200, rejected.text
    assert "Nothing was changed" in rejected.json()["response"]
    assert rejected.json()["tool_calls"] == []
    assert [t["id"] for t in tasks(mcp_server.url, user)] == [task["id"]]
    assert decide(first.url, user, approval_id, "reject").json() == rejected.json()
    changed_mind = decide(first.url, user, approval_id, "approve")
    assert changed_mind.status_code == 409
    assert [t["id"] for t in tasks(mcp_server.url, user)] == [task["id"]]
    stored = messages(history_server.url, user, asked["conversation_id"])
    assert stored[-1]["role"] == "assistant"
    assert "Nothing was changed" in stored[-1]["content"]


def test_delete_all_completed_asks_then_deletes_only_those(two_gateways, mcp_server):
    gateway = two_gateways[0]
    user = new_user()
    keep = add_task(mcp_server.url, user, "Still to do")
    for title in ("Done one", "Done two"):
        complete(mcp_server.url, user, add_task(mcp_server.url, user, title)["id"])

    asked = chat_ok(gateway.url, user, "delete all completed tasks")
    pending = asked["pending_approval"]
    assert (pending["tool"], pending["arguments"]) == ("delete_tasks", {"completed": True})
    assert pending["summary"] == "Delete every completed task?"
    assert len(tasks(mcp_server.url, user)) == 3

    approved = decide(gateway.url, user, pending["id"], "approve")
    assert approved.status_code == 200, approved.text
    assert [task["id"] for task in tasks(mcp_server.url, user)] == [keep["id"]]


def test_another_users_approval_is_not_found_and_a_bad_decision_is_422(two_gateways, mcp_server):
    gateway = two_gateways[0]
    owner, stranger = new_user("owner"), new_user("stranger")
    task, asked = ask_to_delete(gateway, mcp_server, owner)
    approval_id = asked["pending_approval"]["id"]

    assert decide(gateway.url, stranger, approval_id, "approve").status_code == 404
    bad = decide(gateway.url, owner, approval_id, "maybe")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "decision"
    assert [t["id"] for t in tasks(mcp_server.url, owner)] == [task["id"]]


def test_an_expired_approval_runs_nothing(hasty_gateway, mcp_server):
    user = new_user()
    task, asked = ask_to_delete(hasty_gateway, mcp_server, user)
    expires_at = datetime.fromisoformat(asked["pending_approval"]["expires_at"])
    while datetime.now(expires_at.tzinfo) <= expires_at:  # the clock passes it, not a fixed wait
        time.sleep(0.1)

    expired = decide(hasty_gateway.url, user, asked["pending_approval"]["id"], "approve")
    assert expired.status_code == 410, expired.text
    assert "expired" in expired.json()["detail"]
    assert [t["id"] for t in tasks(mcp_server.url, user)] == [task["id"]]


def test_a_single_delete_may_be_configured_to_run_at_once(trusting_gateway, mcp_server):
    user = new_user()
    task = add_task(mcp_server.url, user, "Buy milk")
    answer = chat_ok(trusting_gateway.url, user, f"delete task {task['id']}")
    assert answer["pending_approval"] is None
    assert tasks(mcp_server.url, user) == []

    complete(mcp_server.url, user, add_task(mcp_server.url, user, "Done")["id"])
    bulk = chat_ok(trusting_gateway.url, user, "delete all completed tasks")
    assert bulk["pending_approval"] is not None  # several at once still ask
    assert len(tasks(mcp_server.url, user)) == 1


def cards(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in items if item["type"] == "widget"]


def press(gateway_url: str, user: str, thread_id: str, button: dict[str, Any], **params: Any):
    """The ChatKit custom action of a card's button: the events it streams about the thread."""
    action = {"type": button["action"]["type"], "payload": button["action"]["payload"]}
    events = chatkit_stream(
        gateway_url, user, "threads.custom_action", thread_id=thread_id, action=action, **params
    )
    return [event for event in events if event["type"] != "stream_options"]


def test_chatkit_shows_a_card_whose_confirm_runs_the_change_once(two_gateways, mcp_server):
    first, second = two_gateways
    user = new_user()
    task = add_task(mcp_server.url, user, "Buy milk")
    events = chatkit_stream(
        first.url, user, "threads.create", input=user_input(f"delete task {task['id']}")
    )
    thread_id = events[0]["thread"]["id"]
    done = [e["item"] for e in events if e["type"] == "thread.item.done"]
    assert [item["type"] for item in done[-2:]] == ["assistant_message", "widget"]
    card = done[-1]
    assert card["widget"]["type"] == "Card"
    assert card["widget"]["confirm"]["label"] == "Confirm"
    assert card["widget"]["cancel"]["label"] == "Cancel"
    assert "Confirm or cancel" in streamed_text(events)
    # The paused call was shown running; it is taken away again, since it has not run.
    running = {e["item"]["id"] for e in events if e["type"] == "thread.item.added"} - {
        e["item"]["id"] for e in events if e["type"] == "thread.item.done"
    }
    assert running
    assert running == {e["item_id"] for e in events if e["type"] == "thread.item.removed"}

    # A reload shows the card after the question, in either order.
    listed = chatkit_json(first.url, user, "items.list", thread_id=thread_id, order="asc")
    assert [item["type"] for item in listed["data"]][-2:] == ["assistant_message", "widget"]
    newest = chatkit_json(first.url, user, "items.list", thread_id=thread_id, order="desc")
    assert [item["type"] for item in newest["data"]][:2] == ["widget", "assistant_message"]

    confirm = card["widget"]["confirm"]
    decided = press(second.url, user, thread_id, confirm, item_id=card["id"])
    assert decided[0] == {"type": "thread.item.removed", "item_id": card["id"]}
    answer = [e["item"] for e in decided if e["type"] == "thread.item.done"][-1]
    assert answer["type"] == "assistant_message"
    assert answer["id"] == done[-2]["id"]  # the question is replaced by the outcome
    assert tasks(mcp_server.url, user) == []
    after = chatkit_json(first.url, user, "items.list", thread_id=thread_id, order="asc")
    assert cards(after["data"]) == []

    # The same button again (a retried request) changes nothing and runs no turn.
    add_task(mcp_server.url, user, "Buy milk again")
    again = press(first.url, user, thread_id, confirm)
    assert [e["type"] for e in again] == ["thread.item.removed"]
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Buy milk again"]


def test_chatkit_cancel_changes_nothing_and_a_foreign_card_is_refused(two_gateways, mcp_server):
    gateway = two_gateways[0]
    user, stranger = new_user(), new_user("stranger")
    task = add_task(mcp_server.url, user, "Buy milk")
    events = chatkit_stream(
        gateway.url, user, "threads.create", input=user_input(f"delete task {task['id']}")
    )
    thread_id = events[0]["thread"]["id"]
    card = [e["item"] for e in events if e["type"] == "thread.item.done"][-1]
    cancel = card["widget"]["cancel"]

    # Another user can neither load the thread nor decide the approval.
    foreign = httpx2.post(
        f"{gateway.url}/chatkit",
        json={
            "type": "threads.custom_action",
            "params": {"thread_id": thread_id, "action": cancel["action"]},
        },
        headers=auth_header(stranger),
        timeout=TIMEOUT,
    )
    assert foreign.status_code == 404

    cancelled = press(gateway.url, user, thread_id, cancel)
    assert "Nothing was changed" in streamed_text(cancelled)
    assert [t["id"] for t in tasks(mcp_server.url, user)] == [task["id"]]
