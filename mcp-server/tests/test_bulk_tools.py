"""The bulk tools: complete_tasks and delete_tasks change every named task or none, never another
user's, and run once per idempotency key."""

from typing import Any

from mcp import Client

from todo_testing.processes import ServiceProcess

from .conftest import mcp_client
from .test_idempotency_tools import keyed_call, new_key
from .test_mcp_tools import call, error


async def add(client: Client, *titles: str) -> list[int]:
    return [(await call(client, "add_task", title=title))["task_id"] for title in titles]


async def tasks_of(client: Client) -> dict[str, dict[str, Any]]:
    return {task["title"]: task for task in (await call(client, "list_tasks"))["tasks"]}


async def test_complete_tasks_completes_each_named_task(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        eggs, bread, _milk = await add(client, "Eggs", "Bread", "Milk")
        result = await call(client, "complete_tasks", task_ids=[eggs, bread, eggs])
        tasks = await tasks_of(client)

    assert result == {
        "status": "completed",
        "count": 2,
        "task_ids": [eggs, bread],
        "next_tasks": [],
    }
    assert {title: task["completed"] for title, task in tasks.items()} == {
        "Eggs": True,
        "Bread": True,
        "Milk": False,
    }


async def test_delete_tasks_by_ids_or_by_status(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        a, b, _c, d = await add(client, "A", "B", "C", "D")
        await call(client, "complete_tasks", task_ids=[a, b])
        by_status = await call(client, "delete_tasks", completed=True)
        left_after_status = set(await tasks_of(client))
        by_ids = await call(client, "delete_tasks", task_ids=[d])
        left = set(await tasks_of(client))

    assert (by_status["status"], by_status["count"], sorted(by_status["task_ids"])) == (
        "deleted",
        2,
        sorted([a, b]),
    )
    assert left_after_status == {"C", "D"}
    assert by_ids["task_ids"] == [d]
    assert left == {"C"}


async def test_another_users_ids_are_not_found_and_nothing_changes(
    server: ServiceProcess, user: str, other_user: str
):
    async with mcp_client(server.url, other_user) as theirs:
        [their_task] = await add(theirs, "Theirs")
    async with mcp_client(server.url, user) as client:
        [mine] = await add(client, "Mine")
        completing = await error(client, "complete_tasks", task_ids=[mine, their_task])
        deleting = await error(client, "delete_tasks", task_ids=[mine, their_task])
        mine_now = (await tasks_of(client))["Mine"]
    async with mcp_client(server.url, other_user) as theirs:
        theirs_now = await tasks_of(theirs)

    assert f"Task {their_task} not found" in completing
    assert f"Task {their_task} not found" in deleting
    assert mine_now["completed"] is False
    assert theirs_now["Theirs"]["completed"] is False


async def test_delete_tasks_needs_exactly_one_selector(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        [task] = await add(client, "Kept")
        both = await error(client, "delete_tasks", task_ids=[task], completed=False)
        neither = await error(client, "delete_tasks")
        empty = await error(client, "delete_tasks", task_ids=[])
        kept = set(await tasks_of(client))

    assert all("task_ids" in message for message in [both, neither, empty])
    assert kept == {"Kept"}


async def test_a_repeated_bulk_delete_with_its_key_deletes_once(server: ServiceProcess, user: str):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        await add(client, "Done")
        [done] = await add(client, "Done too")
        await call(client, "complete_tasks", task_ids=[done])
        first = await keyed_call(client, "delete_tasks", key, completed=True)
        await call(client, "complete_tasks", task_ids=await add(client, "Done later"))
        again = await keyed_call(client, "delete_tasks", key, completed=True)
        left = set(await tasks_of(client))

    assert first == again
    assert first["task_ids"] == [done]
    assert left == {"Done", "Done later"}
