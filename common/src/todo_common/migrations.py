"""Alembic on start: each service keeps its own version table, so services may share one database."""

import asyncio
import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from todo_common.engine import migration_engine


def alembic_config(script_location: Path, database_url: str, version_table: str) -> Config:
    """A programmatic Alembic config; no alembic.ini to keep in sync."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["version_table"] = version_table
    return config


async def upgrade_to_head(script_location: Path, database_url: str, version_table: str) -> None:
    """Apply pending migrations; in a worker thread because Alembic's env runs its own event loop."""
    config = alembic_config(script_location, database_url, version_table)
    await asyncio.to_thread(command.upgrade, config, "head")


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online mode, async engine)."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None, "sqlalchemy.url must be set"
    version_table = config.attributes.get("version_table", "alembic_version")

    def migrate(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            # Replicas starting together take turns instead of racing on DDL.
            lock_id = zlib.crc32(version_table.encode())
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = migration_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(run())
