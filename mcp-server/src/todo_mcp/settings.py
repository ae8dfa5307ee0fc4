"""mcp-server configuration, from the environment."""

from datetime import timedelta

from pydantic import Field, SecretStr

from todo_common.settings import DatabaseSettings


class Settings(DatabaseSettings):
    """HOST, PORT, DATABASE_URL, the shared AUTH_*/LOG_*/DB_* variables, the stdio token, and how
    long idempotency keys are kept."""

    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///.data/tasks.db"
    todo_mcp_token: SecretStr | None = None
    """The bearer token naming the one user a `--transport stdio` process serves."""
    idempotency_key_ttl_seconds: int = Field(default=86400, ge=1)
    """How long a recorded idempotency key replays its result; after that it counts as new."""
    idempotency_purge_interval_seconds: float = Field(default=300, gt=0)
    """How often the background purge deletes expired idempotency keys."""

    @property
    def idempotency_key_ttl(self) -> timedelta:
        """IDEMPOTENCY_KEY_TTL_SECONDS as a duration."""
        return timedelta(seconds=self.idempotency_key_ttl_seconds)
