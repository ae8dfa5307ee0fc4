"""Database plumbing for the services that own tables: one engine and pool per process (made in
engine.py, migrated and opened here for the app's lifespan), one session per request."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy import DateTime, Table, inspect, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from todo_common.engine import create_engine
from todo_common.migrations import upgrade_to_head
from todo_common.settings import DatabaseSettings


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite drops the offset; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use datetime.now(UTC)")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def table(model: type[SQLModel]) -> Table:
    """The table of a SQLModel table model, typed (SQLModel sets `__table__` but does not declare
    it): for statements built on plain columns, without the ORM."""
    mapped = inspect(model).local_table
    assert isinstance(mapped, Table), f"{model.__name__} is not a table model"
    return mapped


# Execution options for work that is one statement, atomic by itself: no BEGIN/COMMIT round trips.
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads, on the same pool: no transaction, so no BEGIN and COMMIT round trips."""
    return async_sessionmaker(engine.execution_options(**AUTOCOMMIT), expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


@asynccontextmanager
async def migrated_engine(
    settings: DatabaseSettings, migrations: Path, version_table: str
) -> AsyncIterator[AsyncEngine]:
    """The process's engine, over a schema brought to the newest revision of `migrations` first
    (unless MIGRATE_ON_START=false); disposed at the end."""
    if settings.migrate_on_start:
        await upgrade_to_head(migrations, settings.database_url, version_table)
    engine = create_engine(settings)
    try:
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def serving_database(
    app: FastAPI, migrations: Path, version_table: str
) -> AsyncIterator[AsyncEngine]:
    """The database part of a service's lifespan: `migrated_engine` for the app's settings, the
    sessionmakers `SessionDep` takes sessions from, and the readiness check."""
    async with migrated_engine(app.state.settings, migrations, version_table) as engine:
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.read_sessionmaker = create_read_sessionmaker(engine)
        app.state.readiness_checks["database"] = partial(ping, engine)
        yield engine


READ_METHODS = frozenset({"GET", "HEAD"})


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session: its transaction is committed when the route succeeds and rolled back
    when it raises. Reads (GET, HEAD) run without one."""
    state = request.app.state
    sessionmaker: async_sessionmaker[AsyncSession] = (
        state.read_sessionmaker if request.method in READ_METHODS else state.sessionmaker
    )
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function" commits before the response is sent: a 2xx always means the data is stored.
SessionDep = Annotated[AsyncSession, Depends(request_session, scope="function")]
