"""Keyset paging: every sort order, walked a page at a time, equals the whole list in order."""

from datetime import datetime
from typing import Any

import httpx2
import pytest

from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header

from .conftest import mcp_client
from .test_mcp_tools import call

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
