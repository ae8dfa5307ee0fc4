"""/mcp as an OAuth 2.1 resource server: its metadata, its challenges, the audience and per-tool
scopes it insists on, and the Host/Origin/URL-token refusals, against the real server process."""

from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from pydantic import ValidationError

from todo_common.mcp_access import DEFAULT_MCP_RESOURCE_URL
from todo_mcp.scopes import TOOL_SCOPES
from todo_mcp.settings import Settings
from todo_testing.postgres import CreateDatabase
from todo_testing.tokens import token_for

from .conftest import in_process_client
from .test_mcp_tools import call, error
from .test_stdio import COMMAND, stdio_env

METADATA_PATH = "/.well-known/oauth-protected-resource/mcp"
METADATA_URL = f"http://127.0.0.1:8002{METADATA_PATH}"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
WRITE_TOOLS = sorted(tool for tool, scope in TOOL_SCOPES.items() if scope == "tasks:write")
ARGUMENTS: dict[str, dict[str, Any]] = {
    "add_task": {"title": "Not allowed"},
    "update_task": {"task_id": 1, "title": "Not allowed"},
    "complete_task": {"task_id": 1},
    "delete_task": {"task_id": 1},
    "complete_tasks": {"task_ids": [1]},
    "delete_tasks": {"task_ids": [1]},
}


def rpc(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}


def tool_call(name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    return rpc("tools/call", {"name": name, "arguments": arguments or {}})


async def post(
    http: httpx2.AsyncClient, body: object, token: str | None, **headers: str
) -> httpx2.Response:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post("/mcp", json=body, headers={**HEADERS, **auth, **headers})


async def tasks_of(http: httpx2.AsyncClient, user: str) -> list[dict[str, Any]]:
    response = await post(http, tool_call("list_tasks"), token_for(user))
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = response.json()["result"]["structuredContent"]["tasks"]
    return tasks


async def test_the_metadata_names_the_resource_the_server_and_the_scopes(http: httpx2.AsyncClient):
    response = await http.get(METADATA_PATH)

    assert response.status_code == 200
    assert response.json() == {
        "resource": DEFAULT_MCP_RESOURCE_URL,
        "authorization_servers": ["http://127.0.0.1:3000"],
        "scopes_supported": ["tasks:read", "tasks:write"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Todo Assistant tasks",
    }


async def test_without_a_token_the_401_points_to_the_metadata_and_asks_for_the_scopes(
    http: httpx2.AsyncClient,
):
    response = await post(http, rpc("tools/list"), None)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        f'Bearer resource_metadata="{METADATA_URL}", scope="tasks:read tasks:write"'
    )


@pytest.mark.parametrize(
    "claims",
    [{"audience": "https://other.example/mcp"}, {"audience": None}],
    ids=["another-audience", "no-audience"],
)
async def test_a_token_not_issued_for_this_resource_is_401(
    http: httpx2.AsyncClient, user: str, claims: dict[str, Any]
):
    response = await post(http, rpc("tools/list"), token_for(user, **claims))

    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token"')
    assert f'resource_metadata="{METADATA_URL}"' in challenge


async def test_a_token_for_the_app_and_this_resource_is_served(http: httpx2.AsyncClient, user: str):
    token = token_for(user, audience=["http://127.0.0.1:3000", DEFAULT_MCP_RESOURCE_URL])

    response = await post(http, tool_call("list_tasks"), token)

    assert response.status_code == 200
    assert response.json()["result"]["structuredContent"]["tasks"] == []


async def test_a_read_only_token_lists_every_tool_and_reads(http: httpx2.AsyncClient, user: str):
    read_only = token_for(user, scope="tasks:read")

    listed = await post(http, rpc("tools/list"), read_only)
    read = await post(http, tool_call("list_tasks"), read_only)

    assert {tool["name"] for tool in listed.json()["result"]["tools"]} == set(TOOL_SCOPES)
    assert read.status_code == 200
    assert read.json()["result"]["isError"] is False


@pytest.mark.parametrize("tool", WRITE_TOOLS)
async def test_a_read_only_token_cannot_change_anything(
    http: httpx2.AsyncClient, user: str, tool: str
):
    created = await post(http, tool_call("add_task", {"title": "Mine"}), token_for(user))
    task_id = created.json()["result"]["structuredContent"]["task_id"]
    arguments = {**ARGUMENTS[tool], **({"task_id": task_id} if tool != "add_task" else {})}

    response = await post(http, tool_call(tool, arguments), token_for(user, scope="tasks:read"))

    assert response.status_code == 403
    assert response.headers["www-authenticate"] == (
        f'Bearer error="insufficient_scope", error_description="{tool} needs the tasks:write'
        f' scope.", scope="tasks:write", resource_metadata="{METADATA_URL}"'
    )
    assert response.json()["error"] == "insufficient_scope"
    tasks = await tasks_of(http, user)
    assert [(t["id"], t["title"], t["completed"]) for t in tasks] == [(task_id, "Mine", False)]


async def test_a_write_only_token_changes_but_cannot_list(http: httpx2.AsyncClient, user: str):
    write_only = token_for(user, scope="tasks:write")

    added = await post(http, tool_call("add_task", {"title": "Blind"}), write_only)
    listed = await post(http, tool_call("list_tasks"), write_only)

    assert added.json()["result"]["structuredContent"]["status"] == "created"
    assert listed.status_code == 403
    assert 'scope="tasks:read"' in listed.headers["www-authenticate"]


async def test_a_token_without_a_scope_claim_calls_no_tool(http: httpx2.AsyncClient, user: str):
    response = await post(http, tool_call("list_tasks"), token_for(user, scope=None))

    assert response.status_code == 403


async def test_the_scope_check_reads_the_json_not_its_spelling(http: httpx2.AsyncClient, user: str):
    """An escaped method name and a batch are still `tools/call`s for the check."""
    read_only = token_for(user, scope="tasks:read")
    escaped = '{"jsonrpc":"2.0","id":1,"method":"tools\\/call","params":{"name":"add_\\u0074ask",'
    escaped += '"arguments":{"title":"Sneaky"}}}'
    batch = [tool_call("list_tasks"), tool_call("add_task", {"title": "Sneaky"})]

    by_escape = await http.post(
        "/mcp", content=escaped, headers={**HEADERS, "Authorization": f"Bearer {read_only}"}
    )
    by_batch = await post(http, batch, read_only)

    assert (by_escape.status_code, by_batch.status_code) == (403, 403)
    assert await tasks_of(http, user) == []


async def test_a_foreign_browser_origin_is_403_with_or_without_a_token(
    http: httpx2.AsyncClient, user: str
):
    foreign = {"Origin": "https://evil.example"}

    with_token = await post(http, tool_call("list_tasks"), token_for(user), **foreign)
    without = await post(http, tool_call("list_tasks"), None, **foreign)
    allowed = await post(
        http, tool_call("list_tasks"), token_for(user), Origin="http://localhost:3000"
    )

    assert (with_token.status_code, without.status_code) == (403, 403)
    assert allowed.status_code == 200


async def test_a_host_not_allowed_is_421(http: httpx2.AsyncClient, user: str):
    response = await post(http, tool_call("list_tasks"), token_for(user), Host="rebinding.example")

    assert response.status_code == 421


async def test_a_token_in_the_query_string_is_400_naming_it(http: httpx2.AsyncClient, user: str):
    token = token_for(user)

    response = await http.post(
        "/mcp",
        params={"access_token": token},
        json=tool_call("list_tasks"),
        headers={**HEADERS, "Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "access_token"
    assert token not in response.text


async def test_a_configured_resource_url_is_the_metadata_and_an_allowed_host(
    tmp_path: Path, user: str
):
    resource = "https://tasks.example/mcp"
    token = token_for(user, audience=resource)
    async with in_process_client(
        f"sqlite+aiosqlite:///{tmp_path / 'tasks.db'}",
        mcp_resource_url=resource,
        mcp_authorization_server="https://app.example",
    ) as api:
        metadata = await api.get(METADATA_PATH)
        served = await post(api, tool_call("list_tasks"), token, Host="tasks.example")
        default_audience = await post(api, tool_call("list_tasks"), token_for(user))

    assert metadata.json()["resource"] == resource
    assert metadata.json()["authorization_servers"] == ["https://app.example"]
    assert served.status_code == 200
    assert default_audience.status_code == 401
    assert default_audience.headers["www-authenticate"].endswith(
        'resource_metadata="https://tasks.example/.well-known/oauth-protected-resource/mcp",'
        ' scope="tasks:read tasks:write"'
    )


async def test_stdio_applies_the_tokens_scopes(create_database: CreateDatabase, user: str):
    token = token_for(user, scope="tasks:read")
    env = stdio_env(create_database(), token)
    params = StdioServerParameters(command=COMMAND[0], args=COMMAND[1:], env=env)
    async with Client(params) as client:
        refused = await error(client, "add_task", title="Not allowed")
        page = await call(client, "list_tasks")

    assert "add_task needs the tasks:write scope" in refused
    assert page["tasks"] == []


def test_settings_read_comma_lists_and_default_the_server_to_the_issuer(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("MCP_ALLOWED_HOSTS", "mcp-server:8002, tasks.example:*")
    monkeypatch.setenv("MCP_ALLOWED_ORIGINS", "https://app.example")
    monkeypatch.setenv("AUTH_ISSUER", "https://app.example")

    settings = Settings(database_url="sqlite+aiosqlite:///:memory:")
    security = settings.transport_security()

    assert security.allowed_hosts == ["mcp-server:8002", "tasks.example:*", "127.0.0.1:8002"]
    assert security.allowed_origins == ["https://app.example"]
    assert settings.authorization_server == "https://app.example"
    assert settings.mcp_auth_config().audience == DEFAULT_MCP_RESOURCE_URL


def test_production_needs_the_public_resource_url():
    production = {
        "app_env": "production",
        "database_url": "sqlite+aiosqlite:///:memory:",
        "auth_jwks_url": "https://app.example/api/auth/jwks",
        "auth_issuer": "https://app.example",
        "auth_audience": "https://app.example",
    }

    with pytest.raises(ValidationError, match="MCP_RESOURCE_URL"):
        Settings.model_validate(production)
    started = Settings.model_validate({**production, "mcp_resource_url": "https://t.example/mcp"})
    assert started.resource_url == "https://t.example/mcp"
