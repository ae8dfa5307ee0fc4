"""history-service configuration, from the environment."""

from todo_common.settings import DatabaseSettings


class HistorySettings(DatabaseSettings):
    """HOST, PORT, DATABASE_URL and the shared AUTH_*/LOG_*/DB_* variables."""

    port: int = 8001
    database_url: str = "sqlite+aiosqlite:///.data/history.db"
