"""The agent-gateway application: one shared HTTP client per downstream, created in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import aiohttp
from agents import ModelProvider, RunConfig
from fastapi import FastAPI

from agent_gateway.agent import Agents
from agent_gateway.chatkit_server import TodoChatKitServer
from agent_gateway.context import Gateway
from agent_gateway.history_client import HistoryClient
from agent_gateway.mcp_tools import McpConnections
from agent_gateway.models.providers import create_model_provider, flatten_tool_outputs
from agent_gateway.readiness import service_ready
from agent_gateway.routes import router
from agent_gateway.settings import Settings
from agent_gateway.store import HistoryStore
from todo_common import jsontext
from todo_common.app import create_service_app

HISTORY_CONNECTIONS = 64
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
        connector = aiohttp.TCPConnector(limit=HISTORY_CONNECTIONS)
        timeout = aiohttp.ClientTimeout(total=settings.history_timeout_seconds)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, json_serialize=jsontext.dumps
        ) as http:
            gateway = _gateway(settings, http, model_provider)
            store = HistoryStore(gateway.history, settings.turn_lease_seconds)
            app.state.gateway = gateway
            app.state.store = store
            app.state.chatkit = TodoChatKitServer(gateway, store)
            ready = partial(service_ready, http, timeout_seconds=settings.readiness_timeout_seconds)
            checks = app.state.readiness_checks
            checks["history-service"] = partial(ready, settings.history_ready_url)
            checks["mcp-server"] = partial(ready, settings.mcp_ready_url)
            try:
                yield
            finally:
                await gateway.mcp.close()

    return create_service_app(
        title="agent-gateway",
        description=DESCRIPTION,
        settings=settings,
        lifespan=lifespan,
        routers=[router],
    )


def _gateway(
    settings: Settings, http: aiohttp.ClientSession, model_provider: ModelProvider | None
) -> Gateway:
    provider = model_provider or create_model_provider(settings)
    has_key = settings.openai_api_key is not None
    run_config = RunConfig(
        model_provider=provider,
        tracing_disabled=not (settings.model_provider == "openai" and has_key),
        call_model_input_filter=(
            flatten_tool_outputs if settings.model_provider == "openai-compatible" else None
        ),
    )
    mcp = McpConnections(
        settings.mcp_server_url, settings.mcp_timeout_seconds, settings.mcp_connections
    )
    return Gateway(
        settings=settings,
        history=HistoryClient(http, settings.history_service_url),
        mcp=mcp,
        run_config=run_config,
        agents=Agents(settings.model_name),
    )
