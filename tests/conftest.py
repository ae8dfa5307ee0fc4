"""Cross-service fixtures: the real services as processes on free ports, each on its own PostgreSQL database."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from todo_testing.postgres import CreateDatabase
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
BASE_ENV = {"APP_ENV": "test", "AUTH_JWT_SECRET": TEST_JWT_SECRET, "LOG_LEVEL": "INFO"}
GENEROUS_TURN_LIMITS = {
    "CHAT_TURNS_PER_MINUTE": "100000",
    "CHAT_TURN_BURST": "10000",
    "CHAT_CONCURRENT_TURNS": "1000",
}


def start_service(module: str, name: str, env: dict[str, str]) -> ServiceProcess:
    """Start `python -m module` with the test secret; its log goes to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ServiceProcess(module, {**BASE_ENV, **env}, ARTIFACTS / f"{name}.log").start()


@pytest.fixture(scope="session")
def history_server(create_database: CreateDatabase) -> Iterator[ServiceProcess]:
    """history-service on PostgreSQL."""
    server = start_service(
        "history_service.main", "history-service", {"DATABASE_URL": create_database()}
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mcp_server(create_database: CreateDatabase) -> Iterator[ServiceProcess]:
    """mcp-server on PostgreSQL."""
    server = start_service("todo_mcp.main", "mcp-server", {"DATABASE_URL": create_database()})
    yield server
    server.stop()


def gateway_env(history: ServiceProcess, mcp: ServiceProcess, **extra: str) -> dict[str, str]:
    """What a gateway needs to reach the other two services."""
    return {
        "HISTORY_SERVICE_URL": history.url,
        "MCP_SERVER_URL": f"{mcp.url}/mcp",
        "MODEL_PROVIDER": "offline",
        # Roomy turn limits, so that suites about other things never meet a 429 (the product
        # defaults are strict; tests/gateway/test_limits.py sets its own).
        **GENEROUS_TURN_LIMITS,
        **extra,
    }


@pytest.fixture(scope="session")
def gateway_server(
    history_server: ServiceProcess, mcp_server: ServiceProcess
) -> Iterator[ServiceProcess]:
    """agent-gateway with the offline model, wired to the two services above."""
    server = start_service(
        "agent_gateway.main", "agent-gateway", gateway_env(history_server, mcp_server)
    )
    yield server
    server.stop()
