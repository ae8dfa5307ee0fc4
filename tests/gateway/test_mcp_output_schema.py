"""mcp-server's real results pass the MCP client's check against each tool's output schema, which
the gateway's shared connections run on every call."""

from mcp import ClientSession
from mcp.types import CallToolResult

from agent_gateway.task_tools import McpConnectionPool
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import token_for


async def test_every_task_tool_result_passes_the_clients_output_schema_check(
    mcp_server: ServiceProcess, monkeypatch
):
    checked: list[str] = []
    sdk_check = ClientSession.validate_tool_result

    async def recording_check(session: ClientSession, name: str, result: CallToolResult) -> None:
        await sdk_check(session, name, result)  # raises when the result breaks the schema
        checked.append(name)

    monkeypatch.setattr(ClientSession, "validate_tool_result", recording_check)
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
    assert checked == ["add_task", "list_tasks", "update_task", "complete_task", "delete_task"]
