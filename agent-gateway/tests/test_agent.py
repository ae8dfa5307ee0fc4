"""The agent of a turn: its tools, and instructions computed when the turn runs."""

from datetime import UTC, datetime

from agents import FunctionTool, RunContextWrapper

from agent_gateway.agent import TOOLS_UNAVAILABLE, build_agent


def tool(name: str) -> FunctionTool:
    async def invoke(_context: object, _arguments: str) -> str:
        return "ok"

    return FunctionTool(
        name=name,
        description=name,
        params_json_schema={"type": "object", "properties": {}},
        on_invoke_tool=invoke,
    )


async def test_the_agent_has_exactly_the_tools_it_is_given():
    assert [t.name for t in build_agent("offline", [tool("add_task")]).tools] == ["add_task"]
    assert build_agent("offline", None).tools == []


async def test_instructions_carry_today_and_say_when_the_tools_are_unavailable():
    context = RunContextWrapper(context=None)
    with_tools = await build_agent("offline", [tool("list_tasks")]).get_system_prompt(context)
    without = await build_agent("offline", None).get_system_prompt(context)
    assert datetime.now(UTC).date().isoformat() in with_tools
    assert TOOLS_UNAVAILABLE.strip() not in with_tools
    assert TOOLS_UNAVAILABLE.strip() in without
