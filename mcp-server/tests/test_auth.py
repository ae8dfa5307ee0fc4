"""Identity: only a valid bearer token gets in, on /mcp and on REST alike."""

from pathlib import Path

import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from todo_common.mcp_access import DEFAULT_MCP_RESOURCE_URL as MCP_RESOURCE
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header, broken_tokens, token_for

from .conftest import in_process_client, mcp_client

# Issuer and audience are only enforced when configured; the server fixture configures neither.
# /mcp always insists on its own audience.
ISSUER_CHECKS = {"wrong_issuer", "wrong_audience"}
BROKEN = sorted(set(broken_tokens("alice")) - ISSUER_CHECKS)
BROKEN_AT_MCP = sorted(set(broken_tokens("alice")) - {"wrong_issuer"})

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


async def test_mcp_without_token_is_401(http: httpx2.AsyncClient):
    response = await http.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("kind", BROKEN_AT_MCP)
async def test_mcp_with_a_broken_token_is_401(http: httpx2.AsyncClient, kind: str):
    token = broken_tokens("alice")[kind]
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {token}"}
    response = await http.post("/mcp", json=INITIALIZE, headers=headers)

    assert response.status_code == 401


async def test_mcp_with_a_valid_token_initializes(http: httpx2.AsyncClient, user: str):
    response = await http.post(
        "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **auth_header(user)}
    )

    assert response.status_code == 200
    assert response.json()["result"]["serverInfo"]["name"] == "todo-mcp"


async def test_the_official_client_without_a_token_fails(server: ServiceProcess):
    with pytest.raises(BaseExceptionGroup) as failure:
        async with mcp_client(server.url, None) as client:
            await client.list_tools()
    assert failure.group_contains(MCPError)


@pytest.mark.parametrize("kind", BROKEN)
async def test_rest_with_a_broken_token_is_401(http: httpx2.AsyncClient, kind: str):
    token = broken_tokens("alice")[kind]
    response = await http.get("/api/alice/tasks", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_rest_without_token_is_401(http: httpx2.AsyncClient):
    assert (await http.get("/api/alice/tasks")).status_code == 401


async def test_rest_path_naming_another_user_is_403(http: httpx2.AsyncClient, user: str):
    listed = await http.get("/api/someone-else/tasks", headers=auth_header(user))
    created = await http.post(
        "/api/someone-else/tasks", json={"title": "x"}, headers=auth_header(user)
    )

    assert listed.status_code == 403
    assert created.status_code == 403
    assert listed.headers["content-type"] == "application/problem+json"


async def test_issuer_and_audience_are_enforced_when_configured(tmp_path: Path, user: str):
    url = f"sqlite+aiosqlite:///{tmp_path / 'tasks.db'}"
    good = token_for(user, issuer="https://auth.example", audience=["todo", MCP_RESOURCE])
    app_only = token_for(user, issuer="https://auth.example", audience="todo")
    mcp_only = token_for(user, issuer="https://auth.example")
    wrong = broken_tokens(user)
    async with in_process_client(
        url, auth_issuer="https://auth.example", auth_audience="todo"
    ) as api:

        async def status(token: str) -> tuple[int, int]:
            headers = {**MCP_HEADERS, "Authorization": f"Bearer {token}"}
            mcp = await api.post("/mcp", json=INITIALIZE, headers=headers)
            rest = await api.get(f"/api/{user}/tasks", headers=headers)
            return mcp.status_code, rest.status_code

        assert await status(good) == (200, 200)
        assert await status(app_only) == (401, 200)
        assert await status(mcp_only) == (200, 401)
        assert await status(wrong["wrong_issuer"]) == (401, 401)
        assert await status(wrong["wrong_audience"]) == (401, 401)
