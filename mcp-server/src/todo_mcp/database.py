"""The process's engine: common's, minus the per-checkout ping, plus a free check for dead
connections."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

from todo_common.db import create_engine, is_sqlite
from todo_common.settings import DatabaseSettings


def _drop_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # asyncpg notices a server-side close (restart, terminated backend) without a round trip;
    # raising here makes the pool discard the connection and check out a fresh one.
    driver = getattr(dbapi_connection, "_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the database closed this connection")


def create_task_engine(settings: DatabaseSettings) -> AsyncEngine:
    """One engine per process; see DB_POOL_PRE_PING in the README."""
    engine = create_engine(settings)
    if not settings.db_pool_pre_ping and not is_sqlite(settings.database_url):
        event.listen(engine.sync_engine, "checkout", _drop_closed)
    return engine
