"""Engines, made in one place: URL handling, the pool and its timeouts, the JSON codec, and every
way the database can be out of reach reported as one error, DatabaseUnavailable."""

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import ExceptionContext
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from todo_common import jsontext
from todo_common.problems import DatabaseUnavailable
from todo_common.settings import DatabaseSettings


def is_sqlite(url: str) -> bool:
    """True for a local SQLite URL."""
    return url.startswith("sqlite")


def _drop_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # asyncpg notices a server-side close (restart, terminated backend, pooler idle timeout)
    # without a round trip; raising here makes the pool discard it and check out a fresh one.
    driver = getattr(dbapi_connection, "_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the database closed this connection")


# SQLSTATEs of a server that is going away or cannot take us: connection exceptions (class 08),
# admin/crash shutdown and "cannot connect now" (starting up, shutting down), too many clients.
OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def _outage_reason(exc: BaseException) -> str | None:
    """The deepest error in `exc`'s cause chain saying the database is out of reach (the driver's
    own, not its SQLAlchemy wrapper), described; None for other errors."""
    reason: str | None = None
    link: BaseException | None = exc
    while link is not None:
        sqlstate = getattr(link, "sqlstate", None) or ""
        if isinstance(link, OSError | TimeoutError) or sqlstate.startswith(OUTAGE_SQLSTATES):
            reason = _describe(link)
        link = link.__cause__
    return reason


def _describe(exc: BaseException) -> str:
    # The driver's own error: SQLAlchemy's wrapper would add the statement and its parameters.
    return f"{type(exc).__name__}: {exc}"[:200].removesuffix(": ")


def _connect(dialect: Dialect, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
    # A connection that cannot be opened (refused, timed out, server starting or stopping).
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as exc:
        if (reason := _outage_reason(exc)) is None:
            raise
        raise DatabaseUnavailable(reason) from exc


def _on_error(context: ExceptionContext) -> DatabaseUnavailable | None:
    # A statement or COMMIT that failed because the connection died or timed out. A cancelled
    # request is no outage, and a failed pre-ping only means "reconnect".
    if context.is_pre_ping or not isinstance(context.original_exception, Exception):
        return None
    reason = _outage_reason(context.original_exception)
    if reason is not None:
        context.is_disconnect = True  # never hand this connection out again
    elif context.is_disconnect or isinstance(context.sqlalchemy_exception, OperationalError):
        reason = _describe(context.original_exception)
    else:
        return None
    return DatabaseUnavailable(reason, outcome_unknown=_outcome_unknown(context))


def _outcome_unknown(context: ExceptionContext) -> bool:
    """True when the failure hit a COMMIT, or a write in autocommit mode: it may have been stored."""
    if context.statement is None:  # the COMMIT itself (a failed connect has no connection)
        return context.connection is not None
    execution = context.execution_context
    is_write = isinstance(execution, DefaultExecutionContext) and execution.is_crud
    options = context.connection.get_execution_options() if context.connection else {}
    return is_write and options.get("isolation_level") == "AUTOCOMMIT"


def _report_outages(engine: AsyncEngine) -> None:
    """Every way the database can be out of reach surfaces as one error, DatabaseUnavailable."""
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "handle_error", _on_error)


def _async_engine(url: str, **options: Any) -> AsyncEngine:
    """An engine for `url`, as every one of ours is: a SQLite file's directory made, JSON columns
    written and read by orjson on every backend."""
    if is_sqlite(url) and (database := make_url(url).database):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return create_async_engine(
        url, json_serializer=jsontext.dumps, json_deserializer=jsontext.loads, **options
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """The process's one engine: a sized pool on PostgreSQL, WAL mode on SQLite; every wait on
    the database is bounded, and an outage raises DatabaseUnavailable."""
    url = settings.database_url
    if is_sqlite(url):
        engine = _async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        engine = _async_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_pre_ping=settings.db_pool_pre_ping,
            pool_timeout=settings.db_pool_timeout_seconds,
            connect_args={
                "timeout": settings.db_connect_timeout_seconds,
                "command_timeout": settings.db_command_timeout_seconds,
            },
        )
        if not settings.db_pool_pre_ping:
            event.listen(engine.sync_engine, "checkout", _drop_closed)
    _report_outages(engine)
    return engine


def migration_engine(url: str) -> AsyncEngine:
    """An engine for one migration run: no pool to keep, and no statement timeout (DDL on a large
    table may take a while). On SQLite it switches the file to WAL first: the mode is kept in the
    file, and switching needs the database to itself, which the app's first connections racing to
    do it would not have (some of their writes would fail with "database is locked")."""
    engine = _async_engine(url, poolclass=NullPool)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine
