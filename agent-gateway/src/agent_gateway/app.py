"""The agent-gateway application: the services every turn shares, built once in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from agents import ModelProvider
from fastapi import FastAPI

from agent_gateway.agent import create_run_config
from agent_gateway.chatkit_server import HistoryStore, TodoChatKitServer
from agent_gateway.history_client import HistoryClient, open_http_session, service_ready
from agent_gateway.routes import router
from agent_gateway.settings import Settings
from agent_gateway.task_tools import McpConnectionPool
from agent_gateway.turn import Services
from todo_common.app import create_service_app

DESCRIPTION = (
    "Stateless chat turns for the Todo Assistant: history from history-service, task tools from "
    "mcp-server, both called with the caller's own token."
)


def create_app(
    settings: Settings | None = None, model_provider: ModelProvider | None = None
) -> FastAPI:
    """The gateway app; tests may pass a scripted model provider."""
    settings = settings or Settings()
    # One line per downstream call would double the log volume of every turn.
    logging.getLogger("httpx2").setLevel(logging.WARNING)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_http_session(settings.history_timeout_seconds) as http:
            history = HistoryClient(http, settings.history_service_url)
            services = _services(settings, history, model_provider)
            store = HistoryStore(services.history, settings.turn_lease_seconds)
            app.state.services = services
            app.state.chatkit = TodoChatKitServer(services, store)
            ready = partial(service_ready, http, timeout_seconds=settings.readiness_timeout_seconds)
            checks = app.state.readiness_checks
            checks["history-service"] = partial(ready, settings.history_ready_url)
            checks["mcp-server"] = partial(ready, settings.mcp_ready_url)
            try:
                yield
            finally:
                await services.mcp.close()

    return create_service_app(
        title="agent-gateway",
        description=DESCRIPTION,
        settings=settings,
        lifespan=lifespan,
        routers=[router],
    )


def _services(
    settings: Settings, history: HistoryClient, model_provider: ModelProvider | None
) -> Services:
    return Services(
        settings=settings,
        history=history,
        mcp=McpConnectionPool(
            settings.mcp_server_url, settings.mcp_timeout_seconds, settings.mcp_connections
        ),
        run_config=create_run_config(settings, model_provider),
    )
