"""mcp-server configuration, from the environment."""

from pydantic import SecretStr

from todo_common.settings import DatabaseSettings


class Settings(DatabaseSettings):
    """HOST, PORT, DATABASE_URL, the shared AUTH_*/LOG_*/DB_* variables, and the stdio token."""

    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///.data/tasks.db"
    todo_mcp_token: SecretStr | None = None
    """The bearer token naming the one user a `--transport stdio` process serves."""
