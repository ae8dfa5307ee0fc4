"""Tool results are checked against their output schema by jsonschema-rs, the SDK's check kept
for every result that fails it (so a bad result fails exactly as it did)."""

import pytest
from mcp.types import CallToolResult
from mcp.types import Tool as MCPTool

from agent_gateway.task_tools import check_outputs_fast

COUNT = MCPTool(
    name="count",
    input_schema={"type": "object"},
    output_schema={
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
    },
)
NO_SCHEMA = MCPTool(name="echo", input_schema={"type": "object"})


class SdkSession:
    """Stands in for the MCP ClientSession: its own check refuses everything it is asked."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    async def validate_tool_result(self, name: str, result: CallToolResult) -> None:
        self.checked.append(name)
        raise RuntimeError(f"Invalid structured content returned by tool {name}")


def result(structured: object) -> CallToolResult:
    return CallToolResult(content=[], structured_content=structured)


@pytest.fixture
def session() -> SdkSession:
    session = SdkSession()
    check_outputs_fast(session, [COUNT, NO_SCHEMA])  # type: ignore[arg-type]
    return session


async def test_a_valid_result_needs_no_other_check(session: SdkSession):
    await session.validate_tool_result("count", result({"n": 3}))

    assert session.checked == []


@pytest.mark.parametrize("structured", [{"n": "three"}, {}, None])
async def test_an_invalid_or_missing_result_gets_the_sdk_check_and_its_error(
    session: SdkSession, structured: object
):
    with pytest.raises(RuntimeError, match="Invalid structured content returned by tool count"):
        await session.validate_tool_result("count", result(structured))

    assert session.checked == ["count"]


async def test_a_tool_without_an_output_schema_is_left_to_the_sdk(session: SdkSession):
    with pytest.raises(RuntimeError):
        await session.validate_tool_result("echo", result({"anything": 1}))

    assert session.checked == ["echo"]
