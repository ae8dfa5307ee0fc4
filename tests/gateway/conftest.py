"""Gateway test fixtures beyond the shared ones: extra or private processes a test may stop."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import gateway_env, start_service
from todo_testing.postgres import CreateDatabase
from todo_testing.processes import ServiceProcess


@dataclass
class Stack:
    """A private history-service, mcp-server and gateway, free to be stopped and restarted."""

    history: ServiceProcess
    mcp: ServiceProcess
    gateway: ServiceProcess


@pytest.fixture(scope="module")
def second_gateway(
    history_server: ServiceProcess, mcp_server: ServiceProcess
) -> Iterator[ServiceProcess]:
    """Another gateway process over the same services (any instance serves any turn)."""
    server = start_service(
        "agent_gateway.main", "agent-gateway-2", gateway_env(history_server, mcp_server)
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def private_stack(create_database: CreateDatabase) -> Iterator[Stack]:
    """All three services on their own databases, for tests that stop some of them."""
    history = start_service(
        "history_service.main", "history-private", {"DATABASE_URL": create_database()}
    )
    mcp = start_service("todo_mcp.main", "mcp-private", {"DATABASE_URL": create_database()})
    gateway = start_service("agent_gateway.main", "gateway-private", gateway_env(history, mcp))
    yield Stack(history, mcp, gateway)
    for process in (gateway, mcp, history):
        process.stop()
