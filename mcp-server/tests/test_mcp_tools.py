"""The task tools through the official MCP client, over real HTTP to the server process."""

from typing import Any

import jsonschema
import pytest
from mcp import Client

from todo_testing.processes import ServiceProcess

from .conftest import mcp_client

TOOLS = {
    "add_task",
    "list_tasks",
    "complete_task",
    "delete_task",
    "update_task",
    "complete_tasks",
    "delete_tasks",
}


async def call(client: Client, name: str, **arguments: Any) -> dict[str, Any]:
    """A successful tool call's structured result."""
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def error(client: Client, name: str, **arguments: Any) -> str:
    """A failed tool call's message."""
    result = await client.call_tool(name, arguments)
    assert result.is_error
    return result.content[0].text  # type: ignore[union-attr]  # these tools answer with text content


async def test_lists_the_tools_with_schemas_and_annotations(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}

    assert set(tools) == TOOLS
    assert all(tool.output_schema and tool.description for tool in tools.values())
    assert tools["list_tasks"].annotations.read_only_hint is True
    assert tools["delete_task"].annotations.destructive_hint is True
    assert tools["delete_tasks"].annotations.destructive_hint is True
    assert tools["add_task"].annotations.destructive_hint is False
    for name in ("complete_task", "update_task", "delete_task"):
        assert tools[name].annotations.idempotent_hint is True
    title = tools["add_task"].input_schema["properties"]["title"]
    assert (title["minLength"], title["maxLength"]) == (1, 200)
    assert "user_id" not in str(tools["add_task"].input_schema)


async def test_list_tasks_publishes_a_flat_output_schema_that_still_checks_every_field(
    server: ServiceProcess, user: str
):
    async with mcp_client(server.url, user) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    schema = tools["list_tasks"].output_schema
    # MCP clients check every result against it: no reference or anyOf to resolve per task.
    assert "$ref" not in str(schema)
    assert "anyOf" not in str(schema)
    task = {
        "id": 1,
        "title": "Buy milk",
        "description": None,
        "completed": False,
        "priority": "low",
        "due_date": "2030-05-01T00:00:00Z",
        "tags": [],
        "created_at": "2030-01-01T00:00:00Z",
        "updated_at": "2030-01-01T00:00:00Z",
        "due_has_time": False,
        "time_zone": "UTC",
        "due_local": "2030-05-01",
        "overdue": False,
        "recurrence": None,
        "next_task_id": None,
        "recurrence_text": None,
    }
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"tasks": [task], "count": 1, "next_cursor": None})
    for field, wrong in [("description", 5), ("due_date", 7), ("priority", "urgent"), ("id", "1")]:
        assert not validator.is_valid({"tasks": [{**task, field: wrong}], "count": 1}), field
    assert not validator.is_valid({"tasks": [task], "count": 1, "next_cursor": 3})


async def test_every_tool_round_trip(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        added = await call(
            client,
            "add_task",
            title="Buy groceries",
            description="milk, eggs",
            priority="high",
            due_date="2030-05-01",
            tags=["home", "errand"],
        )
        task_id = added["task_id"]
        assert added == {"task_id": task_id, "status": "created", "title": "Buy groceries"}

        page = await call(client, "list_tasks")
        assert page["count"] == 1
        assert page["next_cursor"] is None
        task = page["tasks"][0]
        assert task["id"] == task_id
        assert task["priority"] == "high"
        assert task["due_date"] == "2030-05-01T00:00:00Z"
        assert task["tags"] == ["home", "errand"]

        updated = await call(client, "update_task", task_id=task_id, title="Buy bread")
        assert updated == {"task_id": task_id, "status": "updated", "title": "Buy bread"}

        for _ in range(2):  # idempotent
            done = await call(client, "complete_task", task_id=task_id)
            assert done == {"task_id": task_id, "status": "completed", "title": "Buy bread"}
        assert (await call(client, "list_tasks", status="completed"))["count"] == 1
        assert (await call(client, "list_tasks", status="pending"))["count"] == 0

        deleted = await call(client, "delete_task", task_id=task_id)
        assert deleted == {"task_id": task_id, "status": "deleted", "title": "Buy bread"}
        assert (await call(client, "list_tasks"))["tasks"] == []


async def test_results_are_mirrored_as_text(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        result = await client.call_tool("add_task", {"title": "Pay bills"})

    assert '"status": "created"' in result.content[0].text  # type: ignore[union-attr]  # these tools answer with text content


async def test_update_changes_only_the_fields_given_and_empty_string_clears(
    server: ServiceProcess, user: str
):
    async with mcp_client(server.url, user) as client:
        added = await call(
            client, "add_task", title="Call mom", description="about Sunday", due_date="2030-01-02"
        )
        await call(client, "update_task", task_id=added["task_id"], due_date="", priority="low")
        task = (await call(client, "list_tasks"))["tasks"][0]

    assert task["due_date"] is None
    assert task["priority"] == "low"
    assert task["description"] == "about Sunday"
    assert task["title"] == "Call mom"


async def test_missing_task_is_a_tool_error(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        for name in ("complete_task", "delete_task"):
            assert (await error(client, name, task_id=999999)).endswith("Task 999999 not found")
        message = await error(client, "update_task", task_id=999999, title="x")
        assert message.endswith("Task 999999 not found")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "priority": "urgent"}, "priority"),
        ({"title": "ok", "due_date": "next tuesday"}, "due_date"),
        ({"title": "ok", "description": "d" * 1001}, "description"),
        ({"title": "ok", "tags": ["t" * 51]}, "tags"),
    ],
)
async def test_invalid_add_arguments_name_the_field(
    server: ServiceProcess, user: str, arguments: dict[str, Any], field: str
):
    async with mcp_client(server.url, user) as client:
        message = await error(client, "add_task", **arguments)
        assert (await call(client, "list_tasks"))["count"] == 0

    assert field in message


async def test_title_of_200_characters_is_accepted(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        added = await call(client, "add_task", title="x" * 200)

    assert len(added["title"]) == 200


async def test_invalid_list_and_update_arguments_name_the_field(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        assert "limit" in await error(client, "list_tasks", limit=101)
        assert "sort" in await error(client, "list_tasks", sort="random")
        assert "cursor" in await error(client, "list_tasks", cursor="bogus")
        task_id = (await call(client, "add_task", title="t"))["task_id"]
        assert "due_date" in await error(client, "update_task", task_id=task_id, due_date="soon")
        assert "at least one" in await error(client, "update_task", task_id=task_id)


async def test_filters_by_search_priority_and_tag(server: ServiceProcess, user: str):
    async with mcp_client(server.url, user) as client:
        await call(client, "add_task", title="Team meeting", priority="high", tags=["work"])
        await call(client, "add_task", title="Water plants", description="the MEETING room ficus")
        await call(client, "add_task", title="Gym", priority="low", tags=["health", "work"])

        def titles(page: dict[str, Any]) -> list[str]:
            return [task["title"] for task in page["tasks"]]

        assert titles(await call(client, "list_tasks", search="meeting")) == [
            "Team meeting",
            "Water plants",
        ]
        assert titles(await call(client, "list_tasks", priority="low")) == ["Gym"]
        assert titles(await call(client, "list_tasks", tag="work")) == ["Team meeting", "Gym"]
        assert titles(await call(client, "list_tasks", tag="work", priority="high")) == [
            "Team meeting"
        ]
        assert titles(await call(client, "list_tasks", search="100%")) == []
