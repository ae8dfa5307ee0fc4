"""With its database out of reach, mcp-server's REST answers 503 + Retry-After and a tool call ends
in an error result marked retryable in its `_meta`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from todo_common.problems import DatabaseUnavailable
from todo_mcp.app import create_app
from todo_mcp.settings import Settings
from todo_mcp.tools import MAYBE_CHANGED, NOTHING_CHANGED
from todo_testing.postgres import CreateDatabase, free_port
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

from .conftest import in_process_client

UNREACHABLE = "postgresql+asyncpg://todo:pw@127.0.0.1:{port}/tasks"


@asynccontextmanager
async def tools(api: httpx2.AsyncClient, user: str) -> AsyncIterator[Client]:
    """An MCP client of the in-process app behind `api`, as `user`."""
    api.headers.update(auth_header(user))
    async with Client(streamable_http_client(f"{api.base_url}/mcp", http_client=api)) as client:
        yield client


def assert_retryable(result: CallToolResult, text: str) -> None:
    assert result.is_error
    assert [block.text for block in result.content] == [text]  # type: ignore[union-attr]  # the error result is text content
    assert result.meta is not None
    assert result.meta["todo/retryable"] is True


async def test_rest_and_tools_while_the_database_is_unreachable(user: str) -> None:
    url = UNREACHABLE.format(port=free_port())
    async with in_process_client(url, migrate_on_start="false") as api:
        listed = await api.get(f"/api/{user}/tasks", headers=auth_header(user))
        created = await api.post(
            f"/api/{user}/tasks", json={"title": "a"}, headers=auth_header(user)
        )
        ready = await api.get("/readyz")
        async with tools(api, user) as client:
            added = await client.call_tool("add_task", {"title": "Buy bread"})
            found = await client.call_tool("list_tasks", {})
    for response in (listed, created):
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "2"
        assert response.headers["content-type"] == "application/problem+json"
    assert ready.status_code == 503
    assert_retryable(added, NOTHING_CHANGED)
    assert_retryable(found, NOTHING_CHANGED)


class CommitLost(AsyncSession):
    """A session whose COMMIT reaches the server but whose answer never comes back."""

    async def commit(self) -> None:
        raise DatabaseUnavailable("connection lost at COMMIT", outcome_unknown=True)


@asynccontextmanager
async def running_app(database_url: str) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
    """The app in this process, its lifespan run, and a client over an ASGI transport."""
    settings = Settings(
        database_url=database_url,
        app_env="test",
        auth_jwt_secret=TEST_JWT_SECRET,
        mcp_allowed_hosts=["testserver"],
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx2.ASGITransport(app=manager.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as api:
            yield app, api


async def test_a_tool_call_whose_commit_was_lost_says_it_may_have_been_made(
    create_database: CreateDatabase, user: str
) -> None:
    async with running_app(create_database()) as (app, api):
        created = await api.post(
            f"/api/{user}/tasks", json={"title": "a"}, headers=auth_header(user)
        )
        engine = app.state.sessionmaker.kw["bind"]
        app.state.sessionmaker = async_sessionmaker(engine, class_=CommitLost)
        async with tools(api, user) as client:
            completed = await client.call_tool("complete_task", {"task_id": created.json()["id"]})
    assert_retryable(completed, MAYBE_CHANGED)
