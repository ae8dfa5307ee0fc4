"""What one request carries through the ChatKit server, the store and the turn."""

from dataclasses import dataclass, field

from agents import RunConfig

from agent_gateway.agent import Agents
from agent_gateway.history_client import HistoryClient, StoredToolCall
from agent_gateway.mcp_tools import McpTools
from agent_gateway.settings import Settings
from todo_common.auth import Principal


@dataclass(frozen=True)
class Gateway:
    """The process's shared, conversation-free dependencies."""

    settings: Settings
    history: HistoryClient
    mcp: McpTools
    run_config: RunConfig
    agents: Agents


@dataclass
class RequestContext:
    """The verified caller, and the tool calls of items this request is about to store."""

    principal: Principal
    tool_calls: dict[str, list[StoredToolCall]] = field(default_factory=dict)
