"""Migrations: they match the models, and go down and up again cleanly, on both backends."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import history_service.models  # noqa: F401
from history_service.app import MIGRATIONS, VERSION_TABLE
from todo_common.migrations import alembic_config


async def test_migrated_schema_matches_the_models(database_url):
    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"version_table": VERSION_TABLE}),
                SQLModel.metadata,
            )
        )
    await engine.dispose()
    relevant = [d for d in differences if not (isinstance(d, tuple) and d[0] == "remove_table")]
    assert relevant == []


def test_downgrade_and_upgrade_again(database_url):
    config = alembic_config(MIGRATIONS, database_url, VERSION_TABLE)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
