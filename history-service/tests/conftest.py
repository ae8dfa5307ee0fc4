"""history-service fixtures: the app over ASGI on a fresh database — PostgreSQL and SQLite."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from alembic import command
from asgi_lifespan import LifespanManager
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from history_service.app import MIGRATIONS, VERSION_TABLE, create_app
from history_service.settings import HistorySettings
from todo_common.migrations import alembic_config
from todo_testing.postgres import CreateDatabase
from todo_testing.tokens import TEST_JWT_SECRET, auth_header


def migrate(database_url: str) -> None:
    """Build the schema the way production does: by running the migrations."""
    command.upgrade(alembic_config(MIGRATIONS, database_url, VERSION_TABLE), "head")


@pytest.fixture(scope="session")
def history_template(create_database: CreateDatabase) -> str:
    """A migrated PostgreSQL database that each test's database is copied from."""
    url = create_database()
    migrate(url)
    return str(make_url(url).database)


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(
    request: pytest.FixtureRequest,
    create_database: CreateDatabase,
    history_template: str,
    tmp_path: Path,
) -> str:
    """A fresh, migrated database for this test."""
    if request.param == "postgresql":
        return create_database(template=history_template)
    url = f"sqlite+aiosqlite:///{tmp_path / 'history.db'}"
    migrate(url)
    return url


@pytest.fixture
def settings(database_url: str) -> HistorySettings:
    """Settings for a test instance: the test secret, no migrations on start."""
    return HistorySettings(
        database_url=database_url,
        migrate_on_start=False,
        auth_jwt_secret=TEST_JWT_SECRET,
        app_env="test",
    )


@asynccontextmanager
async def app_client(settings: HistorySettings) -> AsyncIterator[httpx2.AsyncClient]:
    """An HTTP client talking to an app with these settings in-process (its lifespan run)."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx2.ASGITransport(app=manager.app)
        async with httpx2.AsyncClient(
            transport=transport, base_url="http://history.test"
        ) as client:
            yield client


@pytest.fixture
def make_client() -> Callable[[HistorySettings], AbstractAsyncContextManager[httpx2.AsyncClient]]:
    """`async with make_client(settings) as client`: for tests that need other settings."""
    return app_client


@pytest.fixture
async def client(settings: HistorySettings) -> AsyncIterator[httpx2.AsyncClient]:
    """The app with the test settings, in-process (lifespan run, so the engine exists)."""
    async with app_client(settings) as client:
        yield client


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Direct access to the test database, to check what really got stored."""
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


class UserApi:
    """The API as one user sees it: paths under /api/{user}, that user's token attached."""

    def __init__(self, client: httpx2.AsyncClient, user_id: str) -> None:
        self.client = client
        self.user_id = user_id
        self.headers = auth_header(user_id)

    async def request(self, method: str, path: str, **kwargs: object) -> httpx2.Response:
        """Any request under /api/{user}; `headers` add to the caller's token."""
        headers = {**self.headers, **(kwargs.pop("headers", None) or {})}  # type: ignore[dict-item]  # callers pass plain header dicts
        return await self.client.request(
            method, f"/api/{self.user_id}{path}", headers=headers, **kwargs
        )  # type: ignore[arg-type]  # options forwarded to httpx2 as given

    async def get(self, path: str, **kwargs: object) -> httpx2.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: object) -> httpx2.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: object) -> httpx2.Response:
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: object) -> httpx2.Response:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: object) -> httpx2.Response:
        return await self.request("DELETE", path, **kwargs)

    async def create_conversation(self, **body: object) -> dict:
        """Create a conversation and return it (asserting it worked)."""
        response = await self.post("/conversations", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    async def add_message(
        self, conversation_id: str, content: str, role: str = "user", **body: object
    ) -> dict:
        """Add a message and return it (asserting it worked)."""
        response = await self.post(
            f"/conversations/{conversation_id}/messages",
            json={"role": role, "content": content, **body},
        )
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def as_user(client: httpx2.AsyncClient) -> Callable[[str], UserApi]:
    """`as_user("alice")` → the API as alice."""
    return lambda user_id: UserApi(client, user_id)


@pytest.fixture
def alice(as_user: Callable[[str], UserApi]) -> UserApi:
    return as_user("alice")


@pytest.fixture
def bob(as_user: Callable[[str], UserApi]) -> UserApi:
    return as_user("bob")
