"""`python -m todo_common.migrate`: the migration-only step the Helm Job runs, on one shared PostgreSQL database."""

import asyncio
import subprocess
import sys

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.deploy.stack import PYTHON_SERVICES
from todo_testing.postgres import CreateDatabase

MODULES = [s.migrations for s in PYTHON_SERVICES.values() if s.migrations]


def migrate(module: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """Run the migration command as the Job does: only DATABASE_URL in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "todo_common.migrate", module],
        env={"DATABASE_URL": database_url, "LOG_FORMAT": "json", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def tables(database_url: str) -> set[str]:
    """The tables in the public schema."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


def test_each_service_migrates_one_shared_database_and_a_rerun_changes_nothing(
    create_database: CreateDatabase,
) -> None:
    url = create_database()
    for module in MODULES:
        result = migrate(module, url)
        assert result.returncode == 0, result.stderr
        assert "newest revision" in result.stderr
    created = asyncio.run(tables(url))
    assert {"history_alembic_version", "todo_mcp_alembic_version"} <= created
    assert {"conversations", "messages", "tasks"} <= created
    for module in MODULES:
        again = migrate(module, url)
        assert again.returncode == 0, again.stderr
        assert "Running upgrade" not in again.stderr
    assert asyncio.run(tables(url)) == created


def test_without_database_url_it_refuses_to_guess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "todo_common.migrate", "history_service.app"],
        env={"PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "database_url" in result.stderr.lower()
