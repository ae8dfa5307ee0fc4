"""`python -m todo_common.migrate <app module>`: apply one service's migrations, then exit.

The deploy step that runs before the services start (they then run with MIGRATE_ON_START=false):
    python -m todo_common.migrate history_service.app
    python -m todo_common.migrate todo_mcp.app
The module names its Alembic scripts (`MIGRATIONS`) and version table (`VERSION_TABLE`);
DATABASE_URL, LOG_LEVEL and LOG_FORMAT come from the environment.
"""

import argparse
import asyncio
import importlib
import logging

from pydantic_settings import BaseSettings, SettingsConfigDict

from todo_common.logs import configure_logging
from todo_common.migrations import upgrade_to_head

logger = logging.getLogger("todo.migrate")


class MigrationSettings(BaseSettings):
    """Only what a migration needs: no secrets, no ports."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str
    log_level: str = "INFO"
    log_format: str = "text"


def main(argv: list[str] | None = None) -> None:
    """Upgrade the database named by DATABASE_URL to the newest revision of one service."""
    parser = argparse.ArgumentParser(prog="python -m todo_common.migrate", description=__doc__)
    parser.add_argument("module", help="e.g. history_service.app or todo_mcp.app")
    args = parser.parse_args(argv)
    settings = MigrationSettings()  # DATABASE_URL comes from the environment
    configure_logging(settings.log_level, settings.log_format, "migrate")
    module = importlib.import_module(args.module)
    logger.info("migrating %s (version table %s)", args.module, module.VERSION_TABLE)
    asyncio.run(upgrade_to_head(module.MIGRATIONS, settings.database_url, module.VERSION_TABLE))
    logger.info("%s is at the newest revision", args.module)


if __name__ == "__main__":
    main()
