"""Migrations: they match the models, and go down and up again cleanly, on both backends."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from history_service.app import MIGRATIONS, VERSION_TABLE
from history_service.models import Conversation, Message
from todo_common.migrations import alembic_config


def history_metadata() -> MetaData:
    """This service's tables only (other services' models share SQLModel's global metadata)."""
    metadata = MetaData()
    for table in (Conversation.__table__, Message.__table__):
        table.to_metadata(metadata)
    return metadata


async def test_migrated_schema_matches_the_models(database_url):
    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"version_table": VERSION_TABLE}),
                history_metadata(),
            )
        )
    await engine.dispose()
    assert differences == []


def test_downgrade_and_upgrade_again(database_url):
    config = alembic_config(MIGRATIONS, database_url, VERSION_TABLE)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
