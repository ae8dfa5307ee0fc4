"""REST for the web app, on PostgreSQL (real process) and SQLite (in process)."""

from typing import Any

import httpx2
import pytest

from todo_testing.tokens import auth_header


async def create_task(api: httpx2.AsyncClient, user: str, **body: Any) -> dict[str, Any]:
    """POST a task and return it."""
    response = await api.post(f"/api/{user}/tasks", json=body, headers=auth_header(user))
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_then_get(api: httpx2.AsyncClient, user: str):
    created = await create_task(
        api, user, title="  Buy milk ", priority="high", due_date="2030-01-31T09:30:00+02:00"
    )
    response = await api.get(f"/api/{user}/tasks/{created['id']}", headers=auth_header(user))

    assert response.status_code == 200
    task = response.json()
    assert task == created
    assert task["title"] == "Buy milk"
    assert task["completed"] is False
    assert task["tags"] == []
    assert task["due_date"] == "2030-01-31T07:30:00Z"
    assert task["created_at"].endswith("Z")


async def test_list_takes_the_list_tasks_filters(api: httpx2.AsyncClient, user: str):
    await create_task(api, user, title="Report", tags=["work"], priority="low")
    await create_task(api, user, title="Groceries", tags=["home"])
    response = await api.get(
        f"/api/{user}/tasks", params={"tag": "work", "status": "pending"}, headers=auth_header(user)
    )

    assert response.status_code == 200
    body = response.json()
    assert [task["title"] for task in body["tasks"]] == ["Report"]
    assert body["count"] == 1
    assert body["next_cursor"] is None


async def test_patch_changes_only_what_is_sent(api: httpx2.AsyncClient, user: str):
    task = await create_task(api, user, title="Call mom", description="Sunday", tags=["family"])
    response = await api.patch(
        f"/api/{user}/tasks/{task['id']}",
        json={"title": "Call mom tonight"},
        headers=auth_header(user),
    )

    assert response.status_code == 200
    patched = response.json()
    assert patched["title"] == "Call mom tonight"
    assert patched["description"] == "Sunday"
    assert patched["tags"] == ["family"]
    assert patched["updated_at"] > task["updated_at"]


async def test_patch_null_clears_due_date(api: httpx2.AsyncClient, user: str):
    task = await create_task(api, user, title="Dentist", due_date="2030-02-01")
    response = await api.patch(
        f"/api/{user}/tasks/{task['id']}", json={"due_date": None}, headers=auth_header(user)
    )

    assert response.json()["due_date"] is None


async def test_put_replaces_every_editable_field(api: httpx2.AsyncClient, user: str):
    task = await create_task(
        api,
        user,
        title="Old",
        description="old",
        priority="high",
        tags=["x"],
        due_date="2030-01-01",
    )
    response = await api.put(
        f"/api/{user}/tasks/{task['id']}",
        json={"title": "New", "completed": True},
        headers=auth_header(user),
    )

    assert response.status_code == 200
    replaced = response.json()
    assert replaced["title"] == "New"
    assert replaced["completed"] is True
    assert replaced["description"] is None
    assert replaced["priority"] == "medium"
    assert replaced["tags"] == []
    assert replaced["due_date"] is None


async def test_complete_toggles(api: httpx2.AsyncClient, user: str):
    task = await create_task(api, user, title="Gym")
    url = f"/api/{user}/tasks/{task['id']}/complete"

    first = await api.patch(url, headers=auth_header(user))
    second = await api.patch(url, headers=auth_header(user))

    assert (first.status_code, first.json()["completed"]) == (200, True)
    assert (second.status_code, second.json()["completed"]) == (200, False)


async def test_delete_then_404(api: httpx2.AsyncClient, user: str):
    task = await create_task(api, user, title="Temp")
    url = f"/api/{user}/tasks/{task['id']}"

    deleted = await api.delete(url, headers=auth_header(user))
    again = await api.delete(url, headers=auth_header(user))
    fetched = await api.get(url, headers=auth_header(user))

    assert deleted.status_code == 204
    assert again.status_code == 404
    assert fetched.status_code == 404
    assert fetched.headers["content-type"] == "application/problem+json"
    assert fetched.json()["detail"] == f"Task {task['id']} not found"


@pytest.mark.parametrize("task_id", ["999999999", str(2**63 - 1)])
async def test_missing_ids_are_404(api: httpx2.AsyncClient, user: str, task_id: str):
    # Ids no bigint can be (0, negative, beyond 2^63 - 1) are a 422: test_hostile_input.
    response = await api.get(f"/api/{user}/tasks/{task_id}", headers=auth_header(user))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "priority": "urgent"}, "priority"),
        ({"title": "ok", "due_date": "31/01/2030"}, "due_date"),
        ({"title": "ok", "due_date": "2030-02-30"}, "due_date"),
        ({"title": "ok", "description": "d" * 1001}, "description"),
        ({"title": "ok", "tags": [""]}, "tags.0"),
        ({"title": "nul\u0000byte"}, "title"),
        ({}, "title"),
    ],
)
async def test_invalid_bodies_are_422_naming_the_field(
    api: httpx2.AsyncClient, user: str, body: dict[str, Any], field: str
):
    response = await api.post(f"/api/{user}/tasks", json=body, headers=auth_header(user))
    listed = await api.get(f"/api/{user}/tasks", headers=auth_header(user))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert listed.json()["count"] == 0


async def test_empty_patch_is_422(api: httpx2.AsyncClient, user: str):
    task = await create_task(api, user, title="Keep")
    response = await api.patch(
        f"/api/{user}/tasks/{task['id']}", json={}, headers=auth_header(user)
    )

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"sort": "x"}, "sort"),
        ({"status": "done"}, "status"),
        ({"cursor": "!!"}, "cursor"),
    ],
)
async def test_invalid_list_queries_are_422_naming_the_field(
    api: httpx2.AsyncClient, user: str, params: dict[str, str], field: str
):
    response = await api.get(f"/api/{user}/tasks", params=params, headers=auth_header(user))

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_operations_endpoints(api: httpx2.AsyncClient):
    health, ready, metrics = (
        await api.get("/healthz"),
        await api.get("/readyz"),
        await api.get("/metrics"),
    )

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert "http_requests_total" in metrics.text
    assert "/api/{user_id}/tasks" in (await api.get("/openapi.json")).json()["paths"]
