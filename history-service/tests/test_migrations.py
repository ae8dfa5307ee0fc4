"""Migrations: they match the models, go down and up again cleanly, and keep existing rows, on
both backends."""

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, insert
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from history_service import models
from history_service.app import MIGRATIONS, VERSION_TABLE
from todo_common.db import utcnow
from todo_common.migrations import alembic_config
from todo_testing.tokens import auth_header


def history_metadata() -> MetaData:
    """This service's tables only (other services' models share SQLModel's global metadata)."""
    metadata = MetaData()
    for model in vars(models).values():
        if (
            isinstance(model, type)
            and issubclass(model, SQLModel)
            and model.__module__ == models.__name__
        ):
            model.__table__.to_metadata(metadata)
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


async def test_owner_scoped_ids_keep_existing_conversations(database_url, settings, make_client):
    """Rows written under the old keys (0002) are served as before after 0003, and another user
    may then create a conversation with the same id."""
    config = alembic_config(MIGRATIONS, database_url, VERSION_TABLE)
    await asyncio.to_thread(command.downgrade, config, "0002")
    now = utcnow()
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            insert(models.Conversation.__table__).values(
                id="conv_old",
                user_id="alice",
                title="Before",
                created_at=now,
                updated_at=now,
                message_count=2,
                last_seq=2,
                last_message_preview="second",
            )
        )
        await connection.execute(
            insert(models.Message.__table__),
            [
                {
                    "conversation_id": "conv_old",
                    "seq": seq,
                    "id": f"msg_{seq}",
                    "user_id": "alice",
                    "role": "user",
                    "content": content,
                    "created_at": now,
                }
                for seq, content in ((1, "first"), (2, "second"))
            ],
        )
    await engine.dispose()
    await asyncio.to_thread(command.upgrade, config, "head")

    async with make_client(settings) as client:
        mine = await client.get(
            "/api/alice/conversations/conv_old/messages", headers=auth_header("alice")
        )
        assert [m["content"] for m in mine.json()["items"]] == ["first", "second"]
        theirs = await client.post(
            "/api/bob/conversations", json={"id": "conv_old"}, headers=auth_header("bob")
        )
        assert theirs.status_code == 201, theirs.text
        added = await client.post(
            "/api/alice/conversations/conv_old/messages",
            json={"role": "user", "content": "third", "id": "msg_3"},
            headers=auth_header("alice"),
        )
        assert added.status_code == 201, added.text
        listed = await client.get("/api/bob/conversations", headers=auth_header("bob"))
        assert [(c["id"], c["message_count"]) for c in listed.json()["items"]] == [("conv_old", 0)]
