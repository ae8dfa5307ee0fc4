"""Migrations build the schema on PostgreSQL and SQLite, and only when asked to."""

import sqlite3
from pathlib import Path

import asyncpg

from todo_common.testing.postgres import CreateDatabase
from todo_mcp.app import migrate
from todo_mcp.settings import Settings

from .conftest import in_process_client

EXPECTED_INDEXES = {
    "ix_tasks_user_created",
    "ix_tasks_user_due_date",
    "ix_tasks_user_title",
    "ix_tasks_user_priority",
}


async def test_postgres_gets_every_index_and_upgrading_twice_is_harmless(
    create_database: CreateDatabase,
):
    url = create_database()
    settings = Settings(database_url=url)
    await migrate(settings)
    await migrate(settings)

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tasks'"
        )
        version = await connection.fetchval("SELECT version_num FROM todo_mcp_alembic_version")
    finally:
        await connection.close()
    indexes = {row["indexname"]: row["indexdef"] for row in rows}
    assert set(indexes) >= EXPECTED_INDEXES
    assert "gin" in indexes["ix_tasks_tags"].lower()
    assert version == "0001"


async def test_sqlite_gets_the_sort_indexes(tmp_path: Path):
    path = tmp_path / "tasks.db"
    await migrate(Settings(database_url=f"sqlite+aiosqlite:///{path}"))

    with sqlite3.connect(path) as connection:
        names = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    assert names >= EXPECTED_INDEXES


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
