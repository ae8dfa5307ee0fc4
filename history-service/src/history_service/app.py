"""The history-service application: lifespan (engine, migrations) and routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from history_service.routes import router
from history_service.settings import HistorySettings
from todo_common.app import create_service_app
from todo_common.db import (
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    ping,
)
from todo_common.migrations import upgrade_to_head

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "history_alembic_version"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One engine for the process; migrations first unless MIGRATE_ON_START=false."""
    settings: HistorySettings = app.state.settings
    if settings.migrate_on_start:
        await upgrade_to_head(MIGRATIONS, settings.database_url, VERSION_TABLE)
    engine = create_engine(settings)
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.read_sessionmaker = create_read_sessionmaker(engine)
    app.state.readiness_checks["database"] = partial(ping, engine)
    try:
        yield
    finally:
        await engine.dispose()


def create_app(settings: HistorySettings | None = None) -> FastAPI:
    """The ASGI app (a factory, so tests and uvicorn each build their own)."""
    return create_service_app(
        title="history-service",
        description="Todo Assistant conversation store: every conversation and message, per user.",
        settings=settings or HistorySettings(),
        lifespan=lifespan,
        routers=[router],
    )
