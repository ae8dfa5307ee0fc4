"""agent-gateway configuration, from the environment."""

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from todo_common.settings import ServiceSettings

ModelProviderName = Literal["offline", "openai", "openai-compatible"]


class Settings(ServiceSettings):
    """HOST, PORT, the shared AUTH_*/LOG_* variables, downstream URLs and the model."""

    port: int = 8000
    history_service_url: str = "http://127.0.0.1:8001"
    mcp_server_url: str = "http://127.0.0.1:8002/mcp"
    model_provider: ModelProviderName = "offline"
    model: str | None = None
    """Model name; defaults to `gpt-4.1-mini` for openai and `llama3.1` for openai-compatible."""
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    history_window: int = 40
    history_timeout_seconds: float = 10.0
    mcp_timeout_seconds: float = 10.0
    mcp_connections: int = 4
    """How many shared MCP connections to spread concurrent turns over."""
    model_timeout_seconds: float = 60.0
    readiness_timeout_seconds: float = 2.0
    """How long /readyz waits for each downstream service's own /readyz."""
    max_agent_turns: int = 8
    """Model calls allowed in one chat turn (each tool round trip is one)."""
    chatkit_feedback_max_items: int = Field(default=100, ge=1, le=10_000)
    """The most item ids one ChatKit `items.feedback` may name (each costs history-service calls)."""
    turn_lease_seconds: float = 15.0
    """How long a turn's claim on its user message lasts unless renewed (it is, every third of
    this, while the turn runs): a retry of a turn whose gateway died waits at most this long."""
    # Per-user limits on chat turns (REST and ChatKit alike), kept in history-service so that
    # every replica shares them; the bounds are the ones history-service accepts.
    chat_turns_per_minute: int = Field(default=20, ge=1, le=100_000)
    """How fast a user's turn bucket refills."""
    chat_turn_burst: int = Field(default=10, ge=1, le=10_000)
    """The bucket's capacity: how many turns a user may start at once after a quiet spell."""
    chat_concurrent_turns: int = Field(default=3, ge=1, le=1_000)
    """How many turns (and so ChatKit streams) one user may have running at once."""
    turn_deadline_seconds: float = Field(default=120.0, gt=0, le=86_000)
    """The most one turn may take, all model and tool calls included; then it is cancelled."""
    history_window_chars: int = Field(default=60_000, ge=1)
    """The most characters of earlier messages the model is sent with a turn (oldest dropped
    first; the turn's own user message and tool calls are always sent)."""
    tool_result_max_chars: int = Field(default=4_000, ge=100)
    """The most characters of one replayed tool result; the rest is cut, with a note saying so."""
    approval_skip_single_delete: bool = False
    """Let a single `delete_task` (the user names the task) run without asking; deleting several
    and completing several always ask (see approvals.py)."""
    approval_ttl_seconds: int = Field(default=900, ge=1, le=7 * 86_400)
    """How long a pending approval may be decided; after that it expires and nothing runs."""

    @field_validator("openai_api_key", "openai_base_url", "model", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def model_name(self) -> str:
        """The model to ask for, with a per-provider default."""
        if self.model:
            return self.model
        return {"offline": "offline", "openai": "gpt-4.1-mini"}.get(self.model_provider, "llama3.1")

    @property
    def mcp_health_url(self) -> str:
        """mcp-server's /healthz, next to its /mcp endpoint."""
        base = self.mcp_server_url.rstrip("/")
        base = base.removesuffix("/mcp")
        return f"{base}/healthz"

    @property
    def mcp_ready_url(self) -> str:
        """mcp-server's /readyz, next to its /mcp endpoint."""
        return self.mcp_health_url.removesuffix("/healthz") + "/readyz"

    @property
    def history_ready_url(self) -> str:
        """history-service's /readyz."""
        return f"{self.history_service_url.rstrip('/')}/readyz"
