"""The service: REST under /api, MCP Streamable HTTP at /mcp, one engine, migrations on start, and
the background purge of expired idempotency keys."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from mcp.server.transport_security import TransportSecuritySettings
from starlette.routing import Route

from todo_common.app import create_service_app
from todo_common.db import serving_database
from todo_mcp.auth import JwtTokenVerifier
from todo_mcp.idempotency import purging
from todo_mcp.routes import router
from todo_mcp.settings import Settings
from todo_mcp.tools import TaskServer, create_mcp_server

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "todo_mcp_alembic_version"
# Every /mcp request must carry a bearer token, which a DNS-rebinding page cannot have; Host
# checks would only turn away proxies, containers and ASGI test clients (421).
OPEN_HOSTS = TransportSecuritySettings(enable_dns_rebinding_protection=False)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The mcp-server ASGI app (uvicorn factory)."""
    settings = settings or Settings()
    app = create_service_app(
        title="Todo Assistant task server",
        description="The user's tasks: MCP tools at /mcp, REST for the web app under /api.",
        settings=settings,
        lifespan=_lifespan,
        routers=[router],
    )
    mcp = create_mcp_server(
        lambda: app.state.sessionmaker, settings, JwtTokenVerifier(app.state.token_verifier)
    )
    mcp_app = mcp.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=OPEN_HOSTS,
    )
    # An exact route, not a mount: a mount at / would swallow every unknown path.
    app.router.routes.append(Route("/mcp", mcp_app, include_in_schema=False))
    app.state.mcp = mcp
    app.state.task_cursors = mcp.cursors
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    mcp: TaskServer = app.state.mcp
    interval = settings.idempotency_purge_interval_seconds
    async with (
        serving_database(app, MIGRATIONS, VERSION_TABLE),
        mcp.session_manager.run(),
        purging(app.state.sessionmaker, interval),
    ):
        yield
