"""mcp-server fixtures: one real server process on PostgreSQL, clients for each of its faces."""

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx2
import pytest
from asgi_lifespan import LifespanManager
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from todo_mcp.app import create_app
from todo_mcp.settings import Settings
from todo_testing.postgres import CreateDatabase
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SERVER_ENV = {"APP_ENV": "test", "AUTH_JWT_SECRET": TEST_JWT_SECRET, "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="session")
def server_database(create_database: CreateDatabase) -> str:
    """The SQLAlchemy URL of the server process's PostgreSQL database."""
    return create_database()


@pytest.fixture(scope="session")
def server(server_database: str) -> Iterator[ServiceProcess]:
    """`python -m todo_mcp.main` on a free port and a fresh PostgreSQL database."""
    ARTIFACTS.mkdir(exist_ok=True)
    env = {**SERVER_ENV, "DATABASE_URL": server_database}
    process = ServiceProcess("todo_mcp.main", env, ARTIFACTS / "mcp-server-tests.log").start()
    yield process
    process.stop()


@pytest.fixture
def user() -> str:
    """A user id no other test uses."""
    return f"user-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def other_user() -> str:
    """A second user, for isolation checks."""
    return f"other-{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def mcp_client(url: str, user_id: str | None) -> AsyncIterator[Client]:
    """The official MCP client over Streamable HTTP, as `user_id` (no token when None)."""
    headers = auth_header(user_id) if user_id else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
    ):
        yield client


@pytest.fixture(scope="session")
async def http(server: ServiceProcess) -> AsyncIterator[httpx2.AsyncClient]:
    """Plain HTTP to the server process; pass `headers=auth_header(user)` per request."""
    async with httpx2.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@asynccontextmanager
async def in_process_client(
    database_url: str, **overrides: str
) -> AsyncIterator[httpx2.AsyncClient]:
    """The app in this process (lifespan, migrations and all) behind an ASGI transport."""
    values = {
        "app_env": "test",
        "auth_jwt_secret": TEST_JWT_SECRET,
        "database_url": database_url,
        # The ASGI client's Host header.
        "mcp_allowed_hosts": "testserver",
    }
    settings = Settings.model_validate({**values, **overrides})
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx2.ASGITransport(app=manager.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture(scope="session", params=["postgres-process", "sqlite-in-process"])
async def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx2.AsyncClient]:
    """The REST API twice: the real process on PostgreSQL, and in-process on a SQLite file."""
    if request.param == "postgres-process":
        server: ServiceProcess = request.getfixturevalue("server")
        async with httpx2.AsyncClient(base_url=server.url, timeout=30) as client:
            yield client
        return
    path = tmp_path_factory.mktemp("sqlite") / "tasks.db"
    async with in_process_client(f"sqlite+aiosqlite:///{path}") as client:
        yield client


async def fetch(database_url: str, query: str, *arguments: object) -> list[asyncpg.Record]:
    """Rows of one SQL query on a PostgreSQL database, outside the app (to inspect or age data)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return await connection.fetch(query, *arguments)
    finally:
        await connection.close()
