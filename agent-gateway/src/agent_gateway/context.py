"""What every request shares (the process's dependencies) and what one request carries."""

from dataclasses import dataclass, field

from agents import RunConfig

from agent_gateway.agent import Agents
from agent_gateway.history_client import HistoryClient
from agent_gateway.ids import new_id
from agent_gateway.mcp_tools import McpConnections
from agent_gateway.settings import Settings
from todo_common.auth import Principal


@dataclass(frozen=True)
class Gateway:
    """The process's shared, conversation-free dependencies."""

    settings: Settings
    history: HistoryClient
    mcp: McpConnections
    run_config: RunConfig
    agents: Agents

    @property
    def window(self) -> int:
        """How many of the newest messages, up to the user message, the model sees."""
        return min(self.settings.history_window, 200)


@dataclass(frozen=True)
class RequestContext:
    """The verified caller of one request (ChatKit passes it to every store method)."""

    principal: Principal
    holder: str = field(default_factory=lambda: new_id("req"))
    """This request, as the holder of the turn lease on a user message it stores."""
