"""The offline model's bulk requests through the REST chat, checked by their
effect on the tasks. A bulk change waits for the user's approval when the gateway asks for one."""

from typing import Any

import httpx2

from tests.gateway.chat_client import TIMEOUT, add_task, new_user, tasks
from tests.gateway.test_offline_understanding import AUCKLAND, chat
from todo_testing.tokens import auth_header


def say_and_approve(gateway_url: str, user: str, message: str, zone: str) -> dict[str, Any]:
    """One chat turn; a pending approval, if the gateway asks, is approved."""
    response = chat(gateway_url, user, message, zone)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    if pending := body.get("pending_approval"):
        decided = httpx2.post(
            f"{gateway_url}/api/{user}/chat/approvals/{pending['id']}",
            json={"decision": "approve"},
            headers=auth_header(user) | {"X-Time-Zone": zone},
            timeout=TIMEOUT,
        )
        assert decided.status_code == 200, decided.text
        body = decided.json()
    return body


def complete(mcp_url: str, user: str, task_id: int) -> None:
    response = httpx2.patch(
        f"{mcp_url}/api/{user}/tasks/{task_id}",
        json={"completed": True},
        headers=auth_header(user),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text


def test_delete_all_completed_tasks_deletes_only_those(gateway_server, mcp_server):
    user = new_user()
    keep = add_task(mcp_server.url, user, "Still to do")
    for title in ("Done one", "Done two"):
        complete(mcp_server.url, user, add_task(mcp_server.url, user, title)["id"])

    say_and_approve(gateway_server.url, user, "delete all completed tasks", AUCKLAND)

    assert [task["id"] for task in tasks(mcp_server.url, user)] == [keep["id"]]


def test_complete_all_of_them_completes_every_pending_task(gateway_server, mcp_server):
    user = new_user()
    for title in ("Sweep the porch", "Fold the laundry"):
        add_task(mcp_server.url, user, title)

    say_and_approve(gateway_server.url, user, "mark everything as done", AUCKLAND)

    assert [task["completed"] for task in tasks(mcp_server.url, user)] == [True, True]
