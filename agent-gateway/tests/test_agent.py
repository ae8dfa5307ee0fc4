"""Agents are built once per tools list and reused; their instructions are computed per turn."""

from datetime import UTC, datetime

from agents import FunctionTool, RunContextWrapper

from agent_gateway.agent import TOOLS_UNAVAILABLE, AgentCache


def tool(name: str) -> FunctionTool:
    async def invoke(_context: object, _arguments: str) -> str:
        return "ok"

    return FunctionTool(
        name=name,
        description=name,
        params_json_schema={"type": "object", "properties": {}},
        on_invoke_tool=invoke,
    )


async def test_the_same_tools_list_gets_the_same_agent_and_another_list_its_own():
    agents = AgentCache("offline")
    tools, other = [tool("add_task")], [tool("add_task")]
    assert agents.for_tools(tools) is agents.for_tools(tools)
    assert agents.for_tools(other) is not agents.for_tools(tools)
    assert [t.name for t in agents.for_tools(other).tools] == ["add_task"]


async def test_instructions_carry_today_and_say_when_the_tools_are_unavailable():
    agents = AgentCache("offline")
    context = RunContextWrapper(context=None)
    with_tools = await agents.for_tools([tool("list_tasks")]).get_system_prompt(context)
    without = await agents.for_tools(None).get_system_prompt(context)
    assert datetime.now(UTC).date().isoformat() in with_tools
    assert TOOLS_UNAVAILABLE.strip() not in with_tools
    assert TOOLS_UNAVAILABLE.strip() in without
    assert agents.for_tools(None).tools == []


async def test_replaced_connections_do_not_pile_up():
    agents = AgentCache("offline")
    for _ in range(AgentCache.MAX_KEPT * 3):
        agents.for_tools([tool("add_task")])
    assert len(agents._built) <= AgentCache.MAX_KEPT
