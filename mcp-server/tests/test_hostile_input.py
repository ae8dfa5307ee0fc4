"""Hostile input on both faces: every bad value is a 422 naming its field on REST and a tool error
naming its argument over MCP (HTTP and stdio); never a 5xx, and nothing is written."""

import asyncio
import json
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters

from todo_testing.postgres import CreateDatabase
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header, token_for

from .conftest import mcp_client
from .test_mcp_tools import call, error
from .test_stdio import COMMAND, stdio_env

BEYOND_64_BITS = 2**64
BEYOND_BIGINT = 2**63
NUL = "a\x00b"
LONE = "a\ud800b"
"""Half a surrogate pair: JSON can escape it (`\\ud800`), UTF-8 and PostgreSQL cannot hold it."""


def json_text(value: Any) -> bytes:
    """`value` as JSON, lone surrogates kept as `\\ud800` escapes (as a hostile client sends)."""
    return json.dumps(value).encode()


async def send(
    http: httpx2.AsyncClient, user: str, method: str, path: str, body: bytes
) -> httpx2.Response:
    """A request with a JSON body sent as these exact bytes."""
    headers = {**auth_header(user), "content-type": "application/json"}
    return await http.request(method, f"/api/{user}/tasks{path}", content=body, headers=headers)


async def stored(http: httpx2.AsyncClient, user: str) -> list[dict[str, Any]]:
    """The user's tasks as they are now."""
    response = await http.get(f"/api/{user}/tasks", headers=auth_header(user))
    assert response.status_code == 200
    tasks: list[dict[str, Any]] = response.json()["tasks"]
    return tasks


def assert_names(response: httpx2.Response, location: str, field: str) -> None:
    """A 422 problem document whose errors name `field` in `location`."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    named = [(error["location"], error["field"]) for error in response.json()["errors"]]
    assert (location, field) in named, named


BAD_TASKS = [
    pytest.param({"title": LONE}, "title", id="title-lone-surrogate"),
    pytest.param({"title": 5}, "title", id="title-number"),
    pytest.param({"title": ["a"]}, "title", id="title-list"),
    pytest.param({"title": {"deep": [[[[[[[[["x"]]]]]]]]]}}, "title", id="title-nested"),
    pytest.param({"title": "ok", "description": LONE}, "description", id="description-lone"),
    pytest.param({"title": "ok", "description": NUL}, "description", id="description-nul"),
    pytest.param({"title": "ok", "priority": LONE}, "priority", id="priority-lone"),
    pytest.param({"title": "ok", "tags": [LONE]}, "tags.0", id="tag-lone-surrogate"),
    pytest.param({"title": "ok", "tags": [NUL]}, "tags.0", id="tag-nul"),
    pytest.param({"title": "ok", "tags": ["x" * 51]}, "tags.0", id="tag-too-long"),
    pytest.param({"title": "ok", "tags": [str(n) for n in range(21)]}, "tags", id="21-tags"),
    pytest.param({"title": "ok", "tags": "work"}, "tags", id="tags-string"),
    pytest.param({"title": "ok", "tags": {"\ud800": "x"}}, "tags", id="tags-object"),
    pytest.param({"title": "ok", "tags": [BEYOND_64_BITS]}, "tags.0", id="tag-huge-number"),
    pytest.param({"title": "ok", "due_date": LONE}, "due_date", id="due-lone-surrogate"),
    pytest.param({"title": "ok", "due_date": NUL}, "due_date", id="due-nul"),
    pytest.param({"title": "ok", "due_date": BEYOND_64_BITS}, "due_date", id="due-huge-number"),
    pytest.param({"title": "ok", "due_date": "99999-01-01"}, "due_date", id="due-year-99999"),
    pytest.param(
        {"title": "ok", "due_date": "9999-12-31T23:59:59-23:59"}, "due_date", id="due-past-9999"
    ),
]


@pytest.mark.parametrize(("body", "field"), BAD_TASKS)
async def test_a_bad_new_task_is_422_naming_the_field_and_stores_nothing(
    api: httpx2.AsyncClient, user: str, body: dict[str, Any], field: str
):
    # PUT replaces every field, so the same values are refused there too.
    created = await send(api, user, "POST", "", json_text(body))
    target = (await send(api, user, "POST", "", json_text({"title": "Keep me"}))).json()
    replaced = await send(api, user, "PUT", f"/{target['id']}", json_text(body))

    assert_names(created, "body", field)
    assert_names(replaced, "body", field)
    assert await stored(api, user) == [target]


@pytest.mark.parametrize(
    ("body", "field"),
    [*BAD_TASKS, pytest.param({"completed": "yes"}, "completed", id="completed-string")],
)
async def test_a_bad_change_is_422_naming_the_field_and_changes_nothing(
    api: httpx2.AsyncClient, user: str, body: dict[str, Any], field: str
):
    target = (await send(api, user, "POST", "", json_text({"title": "Keep me"}))).json()
    changes = {key: value for key, value in body.items() if key != "title" or body[key] != "ok"}
    response = await send(api, user, "PATCH", f"/{target['id']}", json_text(changes))

    assert_names(response, "body", field)
    assert await stored(api, user) == [target]


async def test_a_lone_surrogate_as_a_key_is_not_stored(api: httpx2.AsyncClient, user: str):
    # Unknown keys are ignored, so nothing of the bad one can reach the database or the answer.
    response = await send(api, user, "POST", "", json_text({"title": "ok", "\ud800": LONE}))

    assert response.status_code == 201
    assert "\\ud800" not in response.text
    assert [task["title"] for task in await stored(api, user)] == ["ok"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100000-deep-array"),
        pytest.param(b'{"title": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", id="5000-deep-title"),
        pytest.param(b'{"title": "ok", "tags": [' + b"9" * 5_000 + b"]}", id="5000-digit-number"),
        pytest.param(b'{"title": "\xff\xfe"}', id="not-utf-8"),
        pytest.param(b'{"title": "ok"', id="truncated"),
    ],
)
async def test_a_body_that_is_not_usable_json_is_a_client_error(
    api: httpx2.AsyncClient, user: str, body: bytes
):
    response = await send(api, user, "POST", "", body)

    # What the parser refuses (not UTF-8, too deep) is a 422 naming the body, like invalid JSON.
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await stored(api, user) == []


@pytest.mark.parametrize(
    "task_id", ["0", "-1", str(BEYOND_BIGINT), str(BEYOND_64_BITS), "1e3", "%00", "1%00", "x"]
)
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_a_task_id_outside_bigint_is_422_naming_it(
    api: httpx2.AsyncClient, user: str, task_id: str, method: str
):
    kept = (await send(api, user, "POST", "", json_text({"title": "Keep me"}))).json()
    body = json_text({"title": "changed"})
    for path in (f"/{task_id}", f"/{task_id}/complete"):
        if path.endswith("/complete") and method != "PATCH":
            continue
        response = await send(api, user, method, path, body)
        assert_names(response, "path", "task_id")

    assert await stored(api, user) == [kept]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"limit={BEYOND_64_BITS}", "limit"),
        ("limit=-1", "limit"),
        ("limit=true", "limit"),
        ("limit=%00", "limit"),
        ("search=a%00b", "search"),
        ("tag=a%00b", "tag"),
        ("priority=%00", "priority"),
        ("cursor=a%00b", "cursor"),
        ("cursor=%ED%A0%80", "cursor"),  # a surrogate's UTF-8-like bytes, not UTF-8
    ],
)
async def test_a_bad_listing_query_is_422_naming_it(
    api: httpx2.AsyncClient, user: str, query: str, field: str
):
    response = await api.get(f"/api/{user}/tasks?{query}", headers=auth_header(user))

    assert_names(response, "query", field)


@pytest.mark.parametrize("query", ["search=%ED%A0%80", "search=%FF", "tag=%FF%FE"])
async def test_query_bytes_that_are_not_utf_8_find_nothing(
    api: httpx2.AsyncClient, user: str, query: str
):
    # Undecodable bytes are read as U+FFFD, which is storable text: a search like any other.
    await send(api, user, "POST", "", json_text({"title": "ok"}))
    response = await api.get(f"/api/{user}/tasks?{query}", headers=auth_header(user))

    assert (response.status_code, response.json()["count"]) == (200, 0)


KEPT = "the id of the task the test keeps"
BAD_TOOL_CALLS = [
    ("complete_task", {"task_id": BEYOND_64_BITS}, "task_id"),
    ("complete_task", {"task_id": BEYOND_BIGINT}, "task_id"),
    ("complete_task", {"task_id": 0}, "task_id"),
    ("complete_task", {"task_id": -1}, "task_id"),
    ("complete_task", {"task_id": True}, "task_id"),
    ("complete_task", {"task_id": 1.5}, "task_id"),
    ("complete_task", {"task_id": "1"}, "task_id"),
    ("complete_task", {"task_id": [1]}, "task_id"),
    ("delete_task", {"task_id": BEYOND_64_BITS}, "task_id"),
    ("delete_task", {}, "task_id"),
    ("update_task", {"task_id": BEYOND_64_BITS, "title": "x"}, "task_id"),
    ("update_task", {"task_id": KEPT, "title": NUL}, "title"),
    ("update_task", {"task_id": KEPT, "description": NUL}, "description"),
    ("update_task", {"task_id": KEPT, "due_date": NUL}, "due_date"),
    ("update_task", {"task_id": KEPT, "completed": "yes"}, "completed"),
    ("update_task", {"task_id": KEPT, "tags": [str(n) for n in range(21)]}, "tags"),
    ("update_task", {"task_id": KEPT, "tags": [NUL]}, "tags.0"),
    ("add_task", {"title": NUL}, "title"),
    ("add_task", {"title": ""}, "title"),
    ("add_task", {"title": {"deep": [[[["x"]]]]}}, "title"),
    ("add_task", {"title": "ok", "description": NUL}, "description"),
    ("add_task", {"title": "ok", "priority": NUL}, "priority"),
    ("add_task", {"title": "ok", "due_date": BEYOND_64_BITS}, "due_date"),
    ("add_task", {"title": "ok", "due_date": "99999-01-01"}, "due_date"),
    ("add_task", {"title": "ok", "tags": [NUL]}, "tags.0"),
    ("add_task", {"title": "ok", "tags": ["x" * 51]}, "tags.0"),
    ("add_task", {"title": "ok", "tags": [str(n) for n in range(21)]}, "tags"),
    ("add_task", {"title": "ok", "tags": "work"}, "tags"),
    ("list_tasks", {"limit": BEYOND_64_BITS}, "limit"),
    ("list_tasks", {"limit": -1}, "limit"),
    ("list_tasks", {"limit": True}, "limit"),
    ("list_tasks", {"search": NUL}, "search"),
    ("list_tasks", {"tag": NUL}, "tag"),
    ("list_tasks", {"status": NUL}, "status"),
    ("list_tasks", {"cursor": NUL}, "cursor"),
    ("list_tasks", {"cursor": 5}, "cursor"),
]


@pytest.mark.parametrize(("tool", "arguments", "argument"), BAD_TOOL_CALLS)
async def test_a_bad_tool_argument_is_a_tool_error_naming_it(
    server: ServiceProcess,
    http: httpx2.AsyncClient,
    user: str,
    tool: str,
    arguments: dict[str, Any],
    argument: str,
):
    async with mcp_client(server.url, user) as client:
        kept = await call(client, "add_task", title="Keep me")
        if arguments.get("task_id") == KEPT:
            arguments = {**arguments, "task_id": kept["task_id"]}
        message = await error(client, tool, **arguments)

    assert message.startswith(f"Error executing tool {tool}: "), message
    assert f"{argument}: " in message, message
    assert "input_value" not in message  # pydantic's own text, which echoes the value back
    assert [task["title"] for task in await stored(http, user)] == ["Keep me"]


def tools_call(arguments: str, meta: str = "") -> bytes:
    """A raw JSON-RPC `tools/call` of add_task with this JSON text as its arguments."""
    params = f'{{"name": "add_task", "arguments": {arguments}{meta}}}'
    return f'{{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {params}}}'.encode()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(tools_call(r'{"title": "a\ud800b"}'), id="lone-surrogate-value"),
        pytest.param(tools_call(r'{"title": "ok", "tags": ["\udfff"]}'), id="lone-low-surrogate"),
        pytest.param(tools_call(r'{"title": "ok", "\ud800": 1}'), id="lone-surrogate-key"),
        pytest.param(
            tools_call('{"title": "ok"}', r', "_meta": {"idempotency_key": "\ud800"}'),
            id="lone-surrogate-in-meta",
        ),
        pytest.param(
            tools_call('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"), id="100000-deep"
        ),
        pytest.param(
            tools_call('{"title": "ok", "tags": [' + "9" * 5_000 + "]}"), id="5000-digits"
        ),
    ],
)
async def test_mcp_json_the_parser_refuses_is_a_parse_error_and_stores_nothing(
    server: ServiceProcess, http: httpx2.AsyncClient, user: str, body: bytes
):
    headers = {
        **auth_header(user),
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
    }
    response = await http.post("/mcp", content=body, headers=headers)

    # The SDK's JSON-RPC parser refuses it before any tool runs: JSON-RPC's own parse error.
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == -32700
    assert await stored(http, user) == []


async def test_stdio_tools_refuse_bad_arguments_the_same_way(
    create_database: CreateDatabase, user: str
):
    params = StdioServerParameters(
        command=COMMAND[0], args=COMMAND[1:], env=stdio_env(create_database(), token_for(user))
    )
    async with Client(params) as client:
        huge = await error(client, "complete_task", task_id=BEYOND_64_BITS)
        nul = await error(client, "add_task", title=NUL)
        tags = await error(client, "add_task", title="ok", tags=[str(n) for n in range(21)])
        page = await call(client, "list_tasks")

    assert "task_id: Input should be less than or equal to 9223372036854775807" in huge
    assert "title: must not contain the NUL character" in nul
    assert "tags: List should have at most 20 items" in tags
    assert page["tasks"] == []


async def test_stdio_survives_a_line_the_parser_refuses(create_database: CreateDatabase, user: str):
    env = stdio_env(create_database(), token_for(user))
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    initialize = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "hostile", "version": "0"},
        },
    }
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_tasks"}}
    lines = [
        json.dumps(initialize).encode(),
        b'{"jsonrpc": "2.0", "method": "notifications/initialized"}',
        tools_call(r'{"title": "a\ud800b"}'),
        json.dumps(listing).encode(),
    ]
    process.stdin.write(b"\n".join(lines) + b"\n")
    await process.stdin.drain()
    answers: dict[Any, dict[str, Any]] = {}
    try:
        while 2 not in answers:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
            assert line, "the server closed stdout"
            message = json.loads(line)
            answers[message.get("id")] = message
    finally:
        process.stdin.close()
        await asyncio.wait_for(process.wait(), timeout=60)

    assert 1 not in answers or "error" in answers[1]  # the refused line added nothing
    assert answers[2]["result"]["structuredContent"]["tasks"] == []
