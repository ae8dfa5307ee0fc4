"""The OpenAI Agents SDK's MCP client lists and calls every tool over real HTTP."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from agents.mcp import MCPServerStreamableHttp

from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header


@asynccontextmanager
async def agents_client(url: str, user_id: str) -> AsyncIterator[MCPServerStreamableHttp]:
    """A connected Agents SDK MCP server for `user_id`."""
    server = MCPServerStreamableHttp(
        params={"url": f"{url}/mcp", "headers": auth_header(user_id), "timeout": 30},
        client_session_timeout_seconds=30,
    )
    await server.connect()
    try:
        yield server
    finally:
        await server.cleanup()


async def structured(server: MCPServerStreamableHttp, name: str, **arguments: Any) -> Any:
    """A successful call's structured result."""
    result = await server.call_tool(name, arguments)
    assert not result.is_error, result.content
    return result.structured_content


async def test_agents_sdk_lists_and_calls_every_tool(server: ServiceProcess, user: str):
    async with agents_client(server.url, user) as mcp:
        tools = {tool.name: tool for tool in await mcp.list_tools()}
        assert set(tools) == {
            "add_task",
            "list_tasks",
            "complete_task",
            "delete_task",
            "update_task",
            "complete_tasks",
            "delete_tasks",
        }
        assert tools["add_task"].input_schema["required"] == ["title"]

        added = await structured(mcp, "add_task", title="Pay bills", tags=["money"])
        task_id = added["task_id"]
        assert added["status"] == "created"
        listed = await structured(mcp, "list_tasks", tag="money")
        assert [task["id"] for task in listed["tasks"]] == [task_id]
        assert (await structured(mcp, "update_task", task_id=task_id, priority="high"))[
            "status"
        ] == "updated"
        assert (await structured(mcp, "complete_task", task_id=task_id))["status"] == "completed"
        assert (await structured(mcp, "delete_task", task_id=task_id))["status"] == "deleted"

        missing = await mcp.call_tool("complete_task", {"task_id": task_id})
        assert missing.is_error
        assert f"Task {task_id} not found" in missing.content[0].text
        text = json.loads((await mcp.call_tool("list_tasks", {})).content[0].text)
        assert text == {"tasks": [], "count": 0, "next_cursor": None}
