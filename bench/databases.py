"""A fresh database for a benchmark run on the server `postgres_server()` gave us."""

import asyncio
import uuid

import asyncpg

from todo_testing.postgres import asyncpg_url


def fresh_database(admin_url: str, prefix: str) -> str:
    """Create `<prefix>_<random>` and return its SQLAlchemy asyncpg URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(admin_url)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return asyncpg_url(admin_url, name)
