"""mcp-server's real results pass the gateway's fast output-schema check: the MCP client's own
pure-Python check never has to run for them."""

from mcp import ClientSession
from mcp.types import CallToolResult

from agent_gateway.task_tools import McpConnectionPool
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import token_for


async def test_every_task_tool_result_passes_the_fast_check(
    mcp_server: ServiceProcess, monkeypatch
):
    slow_checks: list[str] = []

    async def sdk_check(session: ClientSession, name: str, result: CallToolResult) -> None:
        slow_checks.append(name)

    monkeypatch.setattr(ClientSession, "validate_tool_result", sdk_check)
    tools = McpConnectionPool(f"{mcp_server.url}/mcp", timeout=10, size=1)
    try:
        connection = await tools.connection_for_turn(token_for("output-check-user"))
        assert connection is not None
        server = connection.server
        added = await server.call_tool("add_task", {"title": "Water the plants"})
        task_id = added.structured_content["task_id"]
        calls = [
            ("list_tasks", {"status": "all"}),
            ("update_task", {"task_id": task_id, "title": "Water the garden"}),
            ("complete_task", {"task_id": task_id}),
            ("delete_task", {"task_id": task_id}),
        ]
        results = [await server.call_tool(name, arguments) for name, arguments in calls]
    finally:
        await tools.close()

    assert not any(result.is_error for result in [added, *results])
    assert results[0].structured_content["tasks"][0]["title"] == "Water the plants"
    assert slow_checks == []
