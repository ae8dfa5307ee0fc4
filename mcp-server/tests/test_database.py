"""Connections the database closed are replaced, not served as errors (there is no pre-ping)."""

import asyncio
import time
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from todo_testing.postgres import CreateDatabase
from todo_testing.tokens import auth_header

from .conftest import in_process_client


async def terminate_backends(admin: asyncpg.Connection, database: str) -> None:
    """Kill every server process of `database` and wait until they have exited."""
    pids = await admin.fetchval(
        "SELECT array_agg(pid) FROM pg_stat_activity WHERE datname = $1", database
    )
    assert pids, "the app holds no connection to terminate"
    await admin.execute("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", pids)
    # The socket closes when the process exits (after pg_stat_activity forgets it); the test
    # cluster runs on this host, so wait for the processes themselves.
    deadline = time.monotonic() + 10

    def alive() -> bool:
        return any(Path(f"/proc/{pid}").exists() for pid in pids)

    # Another process's exit offers nothing to await: poll it, yielding to the loop.
    while alive() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    await asyncio.sleep(0)  # let the event loop read the closed sockets


async def test_requests_survive_terminated_connections(
    create_database: CreateDatabase, postgres_admin_url: str, user: str
):
    url = create_database()
    database = make_url(url).database
    admin = await asyncpg.connect(postgres_admin_url)
    try:
        async with in_process_client(url) as api:
            headers = auth_header(user)
            assert (
                await api.post(f"/api/{user}/tasks", json={"title": "a"}, headers=headers)
            ).status_code == 201
            await terminate_backends(admin, database)

            listed = await api.get(f"/api/{user}/tasks", headers=headers)
    finally:
        await admin.close()
    assert listed.status_code == 200
    assert [t["title"] for t in listed.json()["tasks"]] == ["a"]
