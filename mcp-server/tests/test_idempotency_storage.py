"""Idempotency keys at the service level on PostgreSQL: racing requests, expiry and the purge."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from todo_common.db import create_sessionmaker
from todo_common.engine import create_engine
from todo_common.migrations import upgrade_to_head
from todo_mcp.app import MIGRATIONS, VERSION_TABLE
from todo_mcp.idempotency import (
    KEY_META,
    IdempotencyKey,
    IdempotencyService,
    KeyInUse,
    Outcome,
    purge_expired,
    purging,
)
from todo_mcp.settings import Settings
from todo_testing.postgres import CreateDatabase, free_port

from .conftest import fetch, in_process_client

TTL = timedelta(hours=1)
SECOND, MINUTE = timedelta(seconds=1), timedelta(minutes=1)
KEY = IdempotencyKey("the-key", KEY_META)


async def eventually(condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait until `condition()` holds, failing after 10 seconds."""
    async with asyncio.timeout(10):
        # The conditions are database states or log lines: nothing to await but a poll.
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


@pytest.fixture
async def database(create_database: CreateDatabase) -> str:
    """A fresh, migrated PostgreSQL database."""
    url = create_database()
    await upgrade_to_head(MIGRATIONS, url, VERSION_TABLE)
    return url


@pytest.fixture
async def sessions(database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on `database`."""
    engine = create_engine(Settings(database_url=database))
    yield create_sessionmaker(engine)
    await engine.dispose()


def counting(calls: list[str], name: str) -> Callable[[], Awaitable[Outcome]]:
    """A change that notes it ran and returns its name."""

    async def change() -> Outcome:
        calls.append(name)
        return Outcome({"made_by": name})

    return change


async def waiting_for_a_lock(database: str) -> bool:
    """Whether some session of `database` waits for a lock."""
    rows = await fetch(
        database,
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'",
    )
    return bool(rows)


async def add_key(database: str, user: str, key: str, expires_in: timedelta) -> None:
    """A recorded key that expires after `expires_in` (negative: already expired)."""
    await fetch(
        database,
        "INSERT INTO idempotency_keys (user_id, key, request_hash, result, created_at, expires_at) "
        "VALUES ($1, $2, 'h', '{}', now(), now() + $3)",
        user,
        key,
        expires_in,
    )


async def key_count(database: str) -> int:
    """How many keys are stored."""
    return len(await fetch(database, "SELECT key FROM idempotency_keys"))


@pytest.mark.parametrize(("first_commits", "second_runs"), [(True, False), (False, True)])
async def test_a_second_request_waits_for_the_first_and_then_replays_or_runs(
    database: str,
    sessions: async_sessionmaker[AsyncSession],
    first_commits: bool,
    second_runs: bool,
):
    calls: list[str] = []
    async with sessions() as first, sessions() as second:
        made = await IdempotencyService(first, "u", TTL).run(KEY, "h", counting(calls, "first"))
        racing = asyncio.create_task(
            IdempotencyService(second, "u", TTL).run(KEY, "h", counting(calls, "second"))
        )
        await eventually(lambda: waiting_for_a_lock(database))
        assert not racing.done()
        await (first.commit() if first_commits else first.rollback())
        outcome = await racing
        await second.commit()

    assert made == Outcome({"made_by": "first"})
    assert calls == (["first", "second"] if second_runs else ["first"])
    assert outcome.replayed is not second_runs
    assert outcome.result == {"made_by": "second" if second_runs else "first"}


async def test_a_key_without_a_result_is_reported_as_under_way(
    database: str, sessions: async_sessionmaker[AsyncSession]
):
    # What a reader would see if the first request's row were visible before its result.
    await fetch(
        database,
        "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, expires_at) "
        "VALUES ('u', $1, 'h', now(), now() + interval '1 hour')",
        KEY.value,
    )
    calls: list[str] = []
    async with sessions() as session:
        with pytest.raises(KeyInUse, match="still under way"):
            await IdempotencyService(session, "u", TTL).run(KEY, "h", counting(calls, "x"))
    assert calls == []


async def test_an_expired_key_is_replaced(
    database: str, sessions: async_sessionmaker[AsyncSession]
):
    await add_key(database, "u", KEY.value, -SECOND)
    calls: list[str] = []
    async with sessions() as session, session.begin():
        outcome = await IdempotencyService(session, "u", TTL).run(KEY, "new", counting(calls, "x"))

    rows = await fetch(
        database, "SELECT request_hash, expires_at > now() AS live FROM idempotency_keys"
    )
    assert (calls, outcome.replayed) == (["x"], False)
    assert [(row["request_hash"], row["live"]) for row in rows] == [("new", True)]


async def test_purge_deletes_only_expired_keys_in_batches(
    database: str, sessions: async_sessionmaker[AsyncSession]
):
    for number in range(5):
        await add_key(database, f"user-{number % 2}", f"old-{number}", -MINUTE)
    await add_key(database, "user-0", "live", TTL)

    deleted = await purge_expired(sessions, batch=2)

    rows = await fetch(database, "SELECT key FROM idempotency_keys")
    assert deleted == 5
    assert [row["key"] for row in rows] == ["live"]


async def test_the_app_purges_expired_keys_in_the_background(database: str):
    await add_key(database, "u", "old", -MINUTE)
    await add_key(database, "u", "live", TTL)

    async with in_process_client(database, idempotency_purge_interval_seconds="0.05"):
        await eventually(lambda: key_count_is(database, 1))

    assert [row["key"] for row in await fetch(database, "SELECT key FROM idempotency_keys")] == [
        "live"
    ]


async def key_count_is(database: str, count: int) -> bool:
    """Whether exactly `count` keys are stored."""
    return await key_count(database) == count


async def test_the_purge_survives_an_unreachable_database_and_stops_cleanly(
    caplog: pytest.LogCaptureFixture,
):
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    engine = create_engine(Settings(database_url=url))
    caplog.set_level(logging.WARNING, logger="todo_mcp.idempotency")

    async def failed_twice() -> bool:
        return sum("purging expired" in r.getMessage() for r in caplog.records) >= 2

    try:
        async with purging(create_sessionmaker(engine), interval=0.01):
            await eventually(failed_twice)
    finally:
        await engine.dispose()
