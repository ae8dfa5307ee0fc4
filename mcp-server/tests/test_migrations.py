"""Migrations build the schema on PostgreSQL and SQLite, and only when asked to."""

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
from alembic import command

from todo_common.migrations import alembic_config, upgrade_to_head
from todo_mcp.app import MIGRATIONS, VERSION_TABLE
from todo_testing.postgres import CreateDatabase

from .conftest import fetch, in_process_client

EXPECTED_INDEXES = {
    "ix_tasks_user_created",
    "ix_tasks_user_due_date",
    "ix_tasks_user_title",
    "ix_tasks_user_priority",
    "ix_idempotency_keys_expires_at",
}


async def test_postgres_gets_every_index_and_upgrading_twice_is_harmless(
    create_database: CreateDatabase,
):
    url = create_database()
    await upgrade_to_head(MIGRATIONS, url, VERSION_TABLE)
    await upgrade_to_head(MIGRATIONS, url, VERSION_TABLE)

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('tasks', 'idempotency_keys')"
        )
        version = await connection.fetchval("SELECT version_num FROM todo_mcp_alembic_version")
    finally:
        await connection.close()
    indexes = {row["indexname"]: row["indexdef"] for row in rows}
    assert set(indexes) >= EXPECTED_INDEXES
    assert "gin" in indexes["ix_tasks_tags"].lower()
    assert "(user_id, key)" in indexes["pk_idempotency_keys"]
    assert version == "0004"


async def test_the_idempotency_migration_keeps_existing_tasks(create_database: CreateDatabase):
    url = create_database()
    config = alembic_config(MIGRATIONS, url, VERSION_TABLE)
    await asyncio.to_thread(command.upgrade, config, "0001")
    await fetch(
        url,
        "INSERT INTO tasks (user_id, title, tags, created_at, updated_at) "
        "VALUES ('u', 'Kept', '[]', now(), now())",
    )

    await upgrade_to_head(MIGRATIONS, url, VERSION_TABLE)

    assert [row["title"] for row in await fetch(url, "SELECT title FROM tasks")] == ["Kept"]
    assert await fetch(url, "SELECT * FROM idempotency_keys") == []
    await asyncio.to_thread(command.downgrade, config, "0001")
    tables = await fetch(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert "idempotency_keys" not in {row["tablename"] for row in tables}


async def test_sqlite_gets_the_sort_indexes(tmp_path: Path):
    path = tmp_path / "tasks.db"
    await upgrade_to_head(MIGRATIONS, f"sqlite+aiosqlite:///{path}", VERSION_TABLE)

    with sqlite3.connect(path) as connection:
        names = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    assert names >= EXPECTED_INDEXES


async def test_a_migrated_sqlite_file_is_already_in_wal_mode(tmp_path: Path):
    """The app's first connections must not race to switch the journal mode: that switch needs
    the file to itself, and a write racing it fails with "database is locked"."""
    path = tmp_path / "tasks.db"
    await upgrade_to_head(MIGRATIONS, f"sqlite+aiosqlite:///{path}", VERSION_TABLE)

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_migrate_on_start_false_leaves_the_database_alone(tmp_path: Path):
    path = tmp_path / "untouched.db"
    url = f"sqlite+aiosqlite:///{path}"
    async with in_process_client(url, migrate_on_start="false") as api:
        assert (await api.get("/healthz")).status_code == 200

    with sqlite3.connect(path) as connection:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert "tasks" not in tables
