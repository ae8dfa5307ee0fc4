"""The service: REST under /api, MCP Streamable HTTP at /mcp, one engine, migrations on start, and
the background purge of expired idempotency keys."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from starlette.middleware import Middleware
from starlette.routing import Route

from todo_common.app import create_service_app
from todo_common.auth import TokenVerifier
from todo_common.db import serving_database
from todo_common.mcp_access import TASK_SCOPES
from todo_mcp.auth import JwtTokenVerifier
from todo_mcp.guard import McpGuard
from todo_mcp.idempotency import purging
from todo_mcp.routes import router
from todo_mcp.settings import URL, Settings
from todo_mcp.tools import TaskServer, create_mcp_server

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "todo_mcp_alembic_version"


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
    # /mcp takes only tokens issued for it; /api keeps the shared checks (AUTH_AUDIENCE).
    verifier = JwtTokenVerifier(TokenVerifier(settings.mcp_auth_config()))
    mcp = create_mcp_server(lambda: app.state.sessionmaker, settings, verifier)
    security = settings.transport_security()
    mcp_app = mcp.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=security,
    )
    resource = URL.validate_python(settings.resource_url)
    metadata_url = str(build_resource_metadata_url(resource))
    # Innermost, so it runs after the SDK's bearer authentication, before its transport.
    mcp_app.user_middleware.append(Middleware(McpGuard, security, metadata_url))
    # Exact routes, not mounts: a mount at / would swallow every unknown path. The metadata is
    # built here, not by the SDK, which would list as supported only the scopes it requires of
    # every token.
    app.router.routes.append(Route("/mcp", mcp_app, include_in_schema=False))
    app.router.routes.extend(
        create_protected_resource_routes(
            resource_url=resource,
            authorization_servers=[URL.validate_python(settings.authorization_server)],
            scopes_supported=list(TASK_SCOPES),
            resource_name="Todo Assistant tasks",
        )
    )
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
