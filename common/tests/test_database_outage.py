"""A database that is down, dropped the connection or is too slow is a 503 the client may retry;
a bug stays a 500."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import asyncpg
import httpx2
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from todo_common.app import create_service_app
from todo_common.db import SessionDep, create_read_sessionmaker, create_sessionmaker, ping
from todo_common.engine import create_engine
from todo_common.problems import DatabaseUnavailable
from todo_common.settings import DatabaseSettings
from todo_testing.postgres import CreateDatabase, free_port
from todo_testing.tokens import TEST_JWT_SECRET

PASSWORD = "s3cret-db-password"
router = APIRouter()


@router.get("/one")
async def one(session: SessionDep) -> int:
    return (await session.execute(text("SELECT 1"))).scalar_one()


@router.get("/slow")
async def slow(session: SessionDep) -> None:
    await session.execute(text("SELECT pg_sleep(2)"))


@router.get("/bug")
async def bug(session: SessionDep) -> None:
    await session.execute(text("SELECT no_such_column"))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_engine(app.state.settings)
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.read_sessionmaker = create_read_sessionmaker(engine)
    app.state.readiness_checks["database"] = partial(ping, engine)
    app.state.engine = engine
    yield
    await engine.dispose()


@asynccontextmanager
async def app_client(
    database_url: str, **settings: float
) -> AsyncIterator[tuple[httpx2.AsyncClient, FastAPI]]:
    """A service app on `database_url`, its lifespan run, and a client over an ASGI transport."""
    config = DatabaseSettings(
        database_url=database_url, auth_jwt_secret=TEST_JWT_SECRET, app_env="test", **settings
    )
    app = create_service_app(
        title="t", description="d", settings=config, lifespan=lifespan, routers=[router]
    )
    async with LifespanManager(app) as manager:
        transport = httpx2.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx2.AsyncClient(transport=transport, base_url="http://svc.test") as client:
            yield client, app


def closed_port_url() -> str:
    """A PostgreSQL URL, with a password, where nothing listens."""
    return f"postgresql+asyncpg://todo:{PASSWORD}@127.0.0.1:{free_port()}/todo"


def assert_retryable_503(response: httpx2.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The database is unavailable right now; retry shortly."


async def test_an_unreachable_database_is_a_503_with_retry_after_and_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    async with app_client(closed_port_url()) as (client, _app):
        response = await client.get("/one")
        ready = await client.get("/readyz")
    assert_retryable_503(response)
    assert response.json()["instance"] == "/one"
    assert ready.status_code == 503
    warnings = [r for r in caplog.records if r.getMessage().startswith("database unavailable")]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "ConnectionRefusedError" in warnings[0].getMessage()
    assert PASSWORD not in response.text + caplog.text


async def test_a_connect_that_hangs_is_a_503_after_the_connect_timeout() -> None:
    server = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)  # never answers
    port = server.sockets[0].getsockname()[1]
    url = f"postgresql+asyncpg://todo@127.0.0.1:{port}/todo"
    async with server, app_client(url, db_connect_timeout_seconds=0.2) as (client, _app):
        assert_retryable_503(await client.get("/one"))


async def test_no_free_pooled_connection_is_a_503(create_database: CreateDatabase) -> None:
    url = create_database()
    async with app_client(url, db_pool_size=1, db_pool_timeout_seconds=0.2) as (client, app):
        async with app.state.engine.connect() as held:
            await held.execute(text("SELECT 1"))
            assert_retryable_503(await client.get("/one"))
        assert (await client.get("/one")).json() == 1


async def test_a_statement_past_the_command_timeout_is_a_503(
    create_database: CreateDatabase,
) -> None:
    async with app_client(create_database(), db_command_timeout_seconds=0.2) as (client, _app):
        assert_retryable_503(await client.get("/slow"))
        assert (await client.get("/one")).json() == 1


async def test_a_bug_in_a_statement_stays_a_500(create_database: CreateDatabase) -> None:
    async with app_client(create_database()) as (client, _app):
        response = await client.get("/bug")
    assert response.status_code == 500
    assert "retry-after" not in response.headers


async def _terminate(admin_url: str, pid: int) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await connection.close()


@pytest.mark.parametrize("at_commit", [False, True])
async def test_a_connection_dropped_mid_transaction_says_whether_it_may_have_committed(
    create_database: CreateDatabase, at_commit: bool
) -> None:
    url = create_database()
    admin_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    engine = create_engine(DatabaseSettings(database_url=url))
    try:
        async with engine.connect() as connection:
            await connection.execute(text("CREATE TABLE probe (id int)"))
            await connection.commit()
            await connection.execute(text("INSERT INTO probe VALUES (1)"))
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await _terminate(admin_url, pid)
            then = connection.commit() if at_commit else connection.execute(text("SELECT 2"))
            with pytest.raises(DatabaseUnavailable) as raised:
                await then
        assert raised.value.outcome_unknown is at_commit
        async with engine.connect() as fresh:  # the dead connection left the pool
            assert (await fresh.execute(text("SELECT count(*) FROM probe"))).scalar_one() == 0
    finally:
        await engine.dispose()
