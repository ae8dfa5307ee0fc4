"""The history-service application: lifespan (migrations, engine) and routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from history_service.approval_routes import router as approval_router
from history_service.cursors import conversation_cursors
from history_service.routes import router
from history_service.settings import HistorySettings
from history_service.turn_slot_routes import router as turn_slot_router
from todo_common.app import create_service_app
from todo_common.db import serving_database

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "history_alembic_version"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One engine for the process; migrations first unless MIGRATE_ON_START=false."""
    async with serving_database(app, MIGRATIONS, VERSION_TABLE):
        yield


def create_app(settings: HistorySettings | None = None) -> FastAPI:
    """The ASGI app (a factory, so tests and uvicorn each build their own)."""
    settings = settings or HistorySettings()
    app = create_service_app(
        title="history-service",
        description="Todo Assistant conversation store: every conversation and message, per user.",
        settings=settings,
        lifespan=lifespan,
        routers=[router, turn_slot_router, approval_router],
    )
    app.state.conversation_cursors = conversation_cursors(settings)
    return app
