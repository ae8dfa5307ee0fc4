"""The todo assistant: its instructions, and agents built once per tools list and reused."""

from datetime import UTC, datetime
from typing import Any

from agents import Agent, Tool

INSTRUCTIONS = """\
You are a friendly, concise assistant that manages the user's todo list.
Use the task tools for every change or question about tasks; never invent tasks, ids or results.
- To add: add_task with a short, capitalised title.
- To list: list_tasks with status all, pending or completed as asked.
- To complete, delete or rename a task named by its title rather than its number: call list_tasks
  first, then act on the single matching task; if several match, ask which one; if none, say so.
- Confirm every action in one short friendly sentence that names the task and its number.
- If a tool reports an error (for example "Task 7 not found"), explain it plainly.
Today is {today}."""

TOOLS_UNAVAILABLE = """
The task tools are unavailable right now. Tell the user you cannot reach their task list at the
moment and ask them to try again shortly. Do not claim to have read or changed any task."""


def instructions(tools_available: bool) -> str:
    """The instructions for a turn starting now."""
    text = INSTRUCTIONS.format(today=datetime.now(UTC).date().isoformat())
    return text if tools_available else text + TOOLS_UNAVAILABLE


def build_agent(model: str, tools: list[Tool] | None) -> Agent:
    """An agent around these tools; without them it knows to say they are unavailable."""

    def current_instructions(_context: Any, _agent: Agent) -> str:
        return instructions(tools is not None)

    return Agent(
        name="Todo Assistant", instructions=current_instructions, model=model, tools=tools or []
    )


class Agents:
    """An agent is configuration only (no conversation in it), and building one is not free:
    one per tools list (per shared MCP connection, plus one without tools) serves every turn."""

    MAX_KEPT = 16

    def __init__(self, model: str) -> None:
        self.model = model
        self._built: dict[int, tuple[list[Tool] | None, Agent]] = {}

    def for_tools(self, tools: list[Tool] | None) -> Agent:
        """The agent for this exact tools list (the same list object gets the same agent)."""
        entry = self._built.get(id(tools))
        if entry is not None and entry[0] is tools:
            return entry[1]
        if len(self._built) >= self.MAX_KEPT:  # replaced connections leave entries behind
            self._built.clear()
        agent = build_agent(self.model, tools)
        self._built[id(tools)] = (tools, agent)
        return agent
