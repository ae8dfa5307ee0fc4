"""Keyset paging: every sort order, walked a page at a time, equals the whole list in order."""

import base64
import json
from datetime import datetime
from typing import Any

import httpx2
import pytest
from pydantic import TypeAdapter

from todo_common.cursors import Cursors
from todo_mcp.cursors import listing
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

from .conftest import mcp_client
from .test_mcp_tools import call, error

# Ties on every sort key, and tasks without a due date, so the id tiebreaker has work to do.
TASKS = [
    {"title": "b", "priority": "low", "due_date": "2030-01-02"},
    {"title": "a", "priority": "high"},
    {"title": "c", "priority": "medium", "due_date": "2030-01-01"},
    {"title": "a", "priority": "high", "due_date": "2030-01-02"},
    {"title": "b", "priority": "medium"},
    {"title": "d", "priority": "low", "due_date": "2030-01-01T12:00:00Z"},
    {"title": "c", "priority": "high", "due_date": "2030-01-02"},
]
RANK = {"high": 0, "medium": 1, "low": 2}
ORDER = {
    "created": lambda t: (t["created_at"], t["id"]),
    "title": lambda t: (t["title"], t["id"]),
    "priority": lambda t: (RANK[t["priority"]], t["id"]),
    "due_date": lambda t: (
        t["due_date"] is None,
        datetime.fromisoformat(t["due_date"]) if t["due_date"] else datetime.min,
        t["id"],
    ),
}


async def seed(http: httpx2.AsyncClient, user: str) -> list[dict[str, Any]]:
    """Create TASKS for `user` through REST; return them as stored."""
    created = []
    for body in TASKS:
        response = await http.post(f"/api/{user}/tasks", json=body, headers=auth_header(user))
        created.append(response.json())
    return created


@pytest.mark.parametrize("sort", sorted(ORDER))
async def test_tool_pages_walk_every_sort_order(
    server: ServiceProcess, http: httpx2.AsyncClient, user: str, sort: str
):
    tasks = await seed(http, user)
    expected = [t["id"] for t in sorted(tasks, key=ORDER[sort])]
    seen: list[int] = []
    async with mcp_client(server.url, user) as client:
        cursor = None
        while True:
            page = await call(client, "list_tasks", sort=sort, limit=2, cursor=cursor)
            assert page["count"] == len(page["tasks"]) <= 2
            seen += [t["id"] for t in page["tasks"]]
            if (cursor := page["next_cursor"]) is None:
                break
    assert seen == expected


@pytest.mark.parametrize("sort", sorted(ORDER))
async def test_rest_pages_walk_every_sort_order_within_a_filter(
    api: httpx2.AsyncClient, user: str, sort: str
):
    tasks = await seed(api, user)
    expected = [t["id"] for t in sorted(tasks, key=ORDER[sort]) if t["title"] in "abc"]
    seen: list[int] = []
    params: dict[str, Any] = {"sort": sort, "limit": 2, "search": "", "status": "pending"}
    # "d" is the only completed task.
    await api.patch(f"/api/{user}/tasks/{tasks[5]['id']}/complete", headers=auth_header(user))
    for _ in range(len(TASKS)):
        body = (
            await api.get(f"/api/{user}/tasks", params=params, headers=auth_header(user))
        ).json()
        seen += [t["id"] for t in body["tasks"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == expected


async def test_a_cursor_is_bound_to_its_sort_order(http: httpx2.AsyncClient, user: str):
    await seed(http, user)
    first = await http.get(
        f"/api/{user}/tasks", params={"sort": "title", "limit": 1}, headers=auth_header(user)
    )
    cursor = first.json()["next_cursor"]
    mixed = await http.get(
        f"/api/{user}/tasks",
        params={"sort": "priority", "cursor": cursor},
        headers=auth_header(user),
    )

    assert cursor is not None
    assert mixed.status_code == 422
    assert mixed.json()["errors"][0]["field"] == "cursor"


def forged(sort: str, position: Any) -> str:
    """A cursor signed as the service signs them, around any payload: what a leaked key allows."""
    return Cursors(TEST_JWT_SECRET, listing(sort), TypeAdapter(Any)).encode(position)


def tampered(cursor: str) -> str:
    """`cursor` resuming after another task, its signature kept."""
    header, payload, signature = cursor.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data["position"][1] += 1
    changed = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{header}.{changed}.{signature}"


async def first_cursor(api: httpx2.AsyncClient, user: str, sort: str) -> str:
    await seed(api, user)
    params = {"sort": sort, "limit": 1}
    page = await api.get(f"/api/{user}/tasks", params=params, headers=auth_header(user))
    return page.json()["next_cursor"]


async def test_a_forged_cursor_with_sound_values_is_followed(api: httpx2.AsyncClient, user: str):
    tasks = await seed(api, user)
    by_title = sorted(tasks, key=ORDER["title"])
    cursor = forged("title", [by_title[0]["title"], by_title[0]["id"]])
    params = {"sort": "title", "cursor": cursor}
    page = await api.get(f"/api/{user}/tasks", params=params, headers=auth_header(user))
    assert [t["id"] for t in page.json()["tasks"]] == [t["id"] for t in by_title[1:]]


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        pytest.param("title", tampered, id="tampered"),
        pytest.param("title", lambda c: c[:-5], id="truncated"),
        pytest.param("title", lambda c: c + "\x00", id="nul"),
        pytest.param("title", lambda c: "garbage!", id="garbage"),
        pytest.param("title", lambda c: "9" * 5000, id="huge-number"),
        pytest.param("priority", lambda c: forged("priority", [7, 1]), id="rank-out-of-range"),
        pytest.param("created", lambda c: forged("created", ["2030-01-01", 1]), id="naive-time"),
        pytest.param("due_date", lambda c: forged("due_date", [None, 2**64]), id="huge-id"),
        pytest.param("title", lambda c: forged("title", ["a\x00", 1]), id="nul-inside"),
        pytest.param("title", lambda c: forged("title", [["a"], 1]), id="wrong-type"),
        pytest.param("title", lambda c: forged("title", {"after": 1}), id="not-a-position"),
    ],
)
async def test_a_cursor_we_did_not_issue_is_422_naming_it(
    api: httpx2.AsyncClient, user: str, sort: str, cursor: Any
):
    issued = await first_cursor(api, user, "title")
    params = {"sort": sort, "cursor": cursor(issued)}
    response = await api.get(f"/api/{user}/tasks", params=params, headers=auth_header(user))

    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


async def test_the_tool_refuses_a_tampered_cursor_naming_it(
    server: ServiceProcess, http: httpx2.AsyncClient, user: str
):
    issued = await first_cursor(http, user, "created")
    async with mcp_client(server.url, user) as client:
        message = await error(client, "list_tasks", cursor=tampered(issued))

    assert "cursor: not a cursor this listing issued" in message
