"""Idempotency keys in `tools/call` `_meta`, through the official MCP client over real HTTP."""

import asyncio
import hashlib
import json
import uuid
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult

from todo_testing.processes import ServiceProcess

from .conftest import fetch, mcp_client
from .test_mcp_tools import call

KEY = "todo/idempotency-key"


def new_key() -> str:
    """A key no other test sends."""
    return f"key-{uuid.uuid4()}"


async def keyed(client: Client, name: str, key: object, **arguments: Any) -> CallToolResult:
    """A tool call carrying `key` in its `_meta`."""
    return await client.call_tool(name, arguments, meta={KEY: key})  # type: ignore[typeddict-item]  # our _meta key is not in the SDK's TypedDict


async def keyed_call(client: Client, name: str, key: object, **arguments: Any) -> dict[str, Any]:
    """A successful keyed call's structured result."""
    result = await keyed(client, name, key, **arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def keyed_error(client: Client, name: str, key: object, **arguments: Any) -> str:
    """A failed keyed call's message."""
    result = await keyed(client, name, key, **arguments)
    assert result.is_error
    return result.content[0].text  # type: ignore[union-attr]  # these tools answer with text content


async def stored_keys(database: str, user: str) -> dict[str, Any]:
    """The user's recorded keys: key → row."""
    rows = await fetch(database, "SELECT * FROM idempotency_keys WHERE user_id = $1", user)
    return {row["key"]: row for row in rows}


async def titles(client: Client) -> list[str]:
    """The titles of the user's tasks, oldest first."""
    return [task["title"] for task in (await call(client, "list_tasks"))["tasks"]]


async def test_a_repeated_add_returns_the_first_result_and_adds_one_task(
    server: ServiceProcess, server_database: str, user: str
):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        first = await keyed_call(client, "add_task", key, title="Buy milk", tags=["home"])
        again = await keyed_call(client, "add_task", key, title="Buy milk", tags=["home"])
        assert await titles(client) == ["Buy milk"]

    assert again == first
    assert first["status"] == "created"
    row = (await stored_keys(server_database, user))[key]
    assert json.loads(row["result"]) == first
    assert row["status_code"] is None
    assert row["expires_at"] > row["created_at"]
    assert len(row["request_hash"]) == 64


async def test_the_recorded_hash_covers_the_tool_and_its_validated_arguments(
    server: ServiceProcess, server_database: str, user: str
):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        # Validated arguments: the padded title and the due date are stored normalised.
        await keyed_call(client, "add_task", key, title="  Pay rent ", due_date="2030-01-31")

    expected = {
        "title": "Pay rent",
        "description": None,
        "priority": "medium",
        "due_date": "2030-01-31",  # a date stays a date: it is read in the task's zone
        "tags": [],
        "time_zone": None,
        "recurrence": None,
    }
    canonical = json.dumps(["tool add_task", [expected]], sort_keys=True, separators=(",", ":"))
    row = (await stored_keys(server_database, user))[key]
    assert row["request_hash"] == hashlib.sha256(canonical.encode()).hexdigest()


async def test_a_repeated_complete_returns_the_recorded_result_without_completing_again(
    server: ServiceProcess, user: str
):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        task_id = (await call(client, "add_task", title="Gym"))["task_id"]
        first = await keyed_call(client, "complete_task", key, task_id=task_id)
        await call(client, "update_task", task_id=task_id, completed=False)
        again = await keyed_call(client, "complete_task", key, task_id=task_id)
        pending = await call(client, "list_tasks", status="pending")

    assert again == first == {"task_id": task_id, "status": "completed", "title": "Gym"}
    assert [task["id"] for task in pending["tasks"]] == [task_id]


async def test_a_repeated_update_returns_the_recorded_result_without_updating_again(
    server: ServiceProcess, user: str
):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        task_id = (await call(client, "add_task", title="Draft"))["task_id"]
        first = await keyed_call(client, "update_task", key, task_id=task_id, title="Second")
        await call(client, "update_task", task_id=task_id, title="Third")
        again = await keyed_call(client, "update_task", key, task_id=task_id, title="Second")
        assert await titles(client) == ["Third"]

    assert again == first == {"task_id": task_id, "status": "updated", "title": "Second"}


async def test_a_repeated_delete_returns_deleted_not_not_found(server: ServiceProcess, user: str):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        task_id = (await call(client, "add_task", title="Temp"))["task_id"]
        first = await keyed_call(client, "delete_task", key, task_id=task_id)
        again = await keyed_call(client, "delete_task", key, task_id=task_id)
        assert await titles(client) == []

    assert again == first == {"task_id": task_id, "status": "deleted", "title": "Temp"}


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("add_task", {"title": "Something else"}),
        ("add_task", {"title": "Buy milk", "priority": "high"}),
        ("complete_task", {"task_id": 1}),
    ],
)
async def test_a_key_reused_for_another_request_is_a_tool_error(
    server: ServiceProcess, user: str, name: str, arguments: dict[str, Any]
):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        await keyed_call(client, "add_task", key, title="Buy milk")
        message = await keyed_error(client, name, key, **arguments)
        assert await titles(client) == ["Buy milk"]

    assert KEY in message
    assert "already used for a different request" in message


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (42, "must be a string"),
        ("", "printable ASCII"),
        ("k" * 256, "printable ASCII"),
        ("café", "printable ASCII"),
        ("tab\there", "printable ASCII"),
    ],
)
async def test_an_invalid_key_is_a_tool_error_naming_it(
    server: ServiceProcess, user: str, key: object, problem: str
):
    async with mcp_client(server.url, user) as client:
        message = await keyed_error(client, "add_task", key, title="Never added")
        assert await titles(client) == []

    assert KEY in message
    assert problem in message


async def test_a_key_of_255_printable_characters_is_accepted(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        added = await keyed_call(client, "add_task", " ~" + "k" * 253, title="Long key")

    assert added["title"] == "Long key"


async def test_concurrent_calls_with_one_key_make_one_change(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as first, mcp_client(server.url, user) as second:
        for round_ in range(3):
            key = new_key()
            results = await asyncio.gather(
                keyed_call(first, "add_task", key, title=f"Once {round_}"),
                keyed_call(second, "add_task", key, title=f"Once {round_}"),
            )
            assert results[0] == results[1]
        assert await titles(first) == ["Once 0", "Once 1", "Once 2"]


async def test_a_failed_change_records_nothing_so_a_retry_runs_again(
    server: ServiceProcess, server_database: str, user: str
):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        message = await keyed_error(client, "update_task", key, task_id=999999, title="x")
        assert key not in await stored_keys(server_database, user)
        # Not recorded, so the key is free even for another request.
        added = await keyed_call(client, "add_task", key, title="After the failure")

    assert message.endswith("Task 999999 not found")
    assert added["status"] == "created"


async def test_an_expired_key_counts_as_new(
    server: ServiceProcess, server_database: str, user: str
):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        await keyed_call(client, "add_task", key, title="First")
        await fetch(
            server_database,
            "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' "
            "WHERE user_id = $1 AND key = $2",
            user,
            key,
        )
        # Another request under the same key: accepted, since the old record no longer counts.
        second = await keyed_call(client, "add_task", key, title="Second")
        repeat = await keyed_call(client, "add_task", key, title="Second")
        assert await titles(client) == ["First", "Second"]

    assert repeat == second
    row = (await stored_keys(server_database, user))[key]
    assert json.loads(row["result"]) == second


async def test_another_users_same_key_is_independent(
    server: ServiceProcess, user: str, other_user: str
):
    key = new_key()
    async with mcp_client(server.url, user) as alice, mcp_client(server.url, other_user) as bob:
        theirs = await keyed_call(alice, "add_task", key, title="Alice's")
        mine = await keyed_call(bob, "add_task", key, title="Bob's")
        assert await titles(bob) == ["Bob's"]
        assert await titles(alice) == ["Alice's"]

    assert mine["task_id"] != theirs["task_id"]


async def test_read_only_list_tasks_ignores_the_key(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        await call(client, "add_task", title="One")
        page = await keyed_call(client, "list_tasks", new_key())

    assert page["count"] == 1
