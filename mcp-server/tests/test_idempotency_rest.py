"""The Idempotency-Key header on REST task changes, on PostgreSQL (real process) and SQLite."""

import uuid
from typing import Any

import httpx2
import pytest

from todo_testing.tokens import auth_header

from .test_rest_api import create_task

REPLAYED = "Idempotent-Replayed"


def keyed(user: str, key: str | bytes) -> dict[str, Any]:
    """The user's auth header and an Idempotency-Key."""
    return {**auth_header(user), "Idempotency-Key": key}


def new_key() -> str:
    """A key no other test sends."""
    return f"key-{uuid.uuid4()}"


async def task_titles(api: httpx2.AsyncClient, user: str) -> list[str]:
    """The titles of the user's tasks, oldest first."""
    response = await api.get(f"/api/{user}/tasks", headers=auth_header(user))
    return [task["title"] for task in response.json()["tasks"]]


async def test_a_repeated_post_replays_status_and_body_and_creates_one_task(
    api: httpx2.AsyncClient, user: str
):
    headers = keyed(user, new_key())
    first = await api.post(f"/api/{user}/tasks", json={"title": "Milk"}, headers=headers)
    again = await api.post(f"/api/{user}/tasks", json={"title": "Milk"}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert first.json()["title"] == "Milk"
    assert REPLAYED not in first.headers
    assert again.headers[REPLAYED] == "true"
    assert await task_titles(api, user) == ["Milk"]


async def test_a_structured_field_string_and_its_bare_value_are_one_key(
    api: httpx2.AsyncClient, user: str
):
    key = new_key()
    quoted = await api.post(
        f"/api/{user}/tasks", json={"title": "A"}, headers=keyed(user, f'"{key}"')
    )
    bare = await api.post(f"/api/{user}/tasks", json={"title": "A"}, headers=keyed(user, key))

    assert bare.headers[REPLAYED] == "true"
    assert bare.json() == quoted.json()
    assert await task_titles(api, user) == ["A"]


async def test_a_repeated_toggle_does_not_toggle_twice(api: httpx2.AsyncClient, user: str):
    task = await create_task(api, user, title="Gym")
    url = f"/api/{user}/tasks/{task['id']}/complete"
    headers = keyed(user, new_key())

    first = await api.patch(url, headers=headers)
    again = await api.patch(url, headers=headers)
    stored = await api.get(f"/api/{user}/tasks/{task['id']}", headers=auth_header(user))
    unkeyed = await api.patch(url, headers=auth_header(user))

    assert (first.status_code, first.json()["completed"]) == (200, True)
    assert (again.status_code, again.headers[REPLAYED]) == (200, "true")
    assert again.json() == first.json()
    assert stored.json()["completed"] is True
    assert unkeyed.json()["completed"] is False  # without a key, a toggle is a toggle


async def test_a_repeated_patch_replays_without_changing_the_task_again(
    api: httpx2.AsyncClient, user: str
):
    task = await create_task(api, user, title="Draft")
    url = f"/api/{user}/tasks/{task['id']}"
    headers = keyed(user, new_key())

    first = await api.patch(url, json={"title": "Second"}, headers=headers)
    await api.patch(url, json={"title": "Third"}, headers=auth_header(user))
    again = await api.patch(url, json={"title": "Second"}, headers=headers)

    assert again.json() == first.json()
    assert again.json()["title"] == "Second"
    assert again.headers[REPLAYED] == "true"
    assert await task_titles(api, user) == ["Third"]


async def test_a_key_reused_with_another_body_or_target_is_422_naming_the_header(
    api: httpx2.AsyncClient, user: str
):
    key = new_key()
    created = await api.post(f"/api/{user}/tasks", json={"title": "A"}, headers=keyed(user, key))
    task_url = f"/api/{user}/tasks/{created.json()['id']}"
    responses = [
        await api.post(f"/api/{user}/tasks", json={"title": "B"}, headers=keyed(user, key)),
        await api.patch(task_url, json={"title": "A"}, headers=keyed(user, key)),
        await api.patch(f"{task_url}/complete", headers=keyed(user, key)),
    ]

    for response in responses:
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert "already used for a different request" in response.json()["detail"]
        assert [error["field"] for error in response.json()["errors"]] == ["Idempotency-Key"]
    stored = await api.get(task_url, headers=auth_header(user))
    assert (stored.json()["title"], stored.json()["completed"]) == ("A", False)
    assert await task_titles(api, user) == ["A"]


@pytest.mark.parametrize(
    "value",
    ["", "k" * 256, "café".encode(), '"unterminated', '"bad \\escape"', '"two" "strings"'],
)
async def test_an_invalid_header_is_422_naming_it(
    api: httpx2.AsyncClient, user: str, value: str | bytes
):
    response = await api.post(
        f"/api/{user}/tasks", json={"title": "Never"}, headers=keyed(user, value)
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert response.json()["detail"].startswith("Idempotency-Key header: ")
    assert await task_titles(api, user) == []


async def test_a_failed_change_records_nothing(api: httpx2.AsyncClient, user: str):
    key = new_key()
    missing = await api.patch(
        f"/api/{user}/tasks/999999999", json={"title": "x"}, headers=keyed(user, key)
    )
    created = await api.post(
        f"/api/{user}/tasks", json={"title": "Later"}, headers=keyed(user, key)
    )

    assert missing.status_code == 404
    assert created.status_code == 201
    assert REPLAYED not in created.headers


async def test_another_users_same_key_is_independent(
    api: httpx2.AsyncClient, user: str, other_user: str
):
    key = new_key()
    theirs = await api.post(f"/api/{user}/tasks", json={"title": "A"}, headers=keyed(user, key))
    mine = await api.post(
        f"/api/{other_user}/tasks", json={"title": "B"}, headers=keyed(other_user, key)
    )

    assert mine.status_code == 201
    assert REPLAYED not in mine.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert await task_titles(api, other_user) == ["B"]


async def test_openapi_documents_the_header_on_the_three_changes(api: httpx2.AsyncClient):
    paths = (await api.get("/openapi.json")).json()["paths"]
    keyed_operations = [
        paths["/api/{user_id}/tasks"]["post"],
        paths["/api/{user_id}/tasks/{task_id}"]["patch"],
        paths["/api/{user_id}/tasks/{task_id}/complete"]["patch"],
    ]
    others = [
        paths["/api/{user_id}/tasks"]["get"],
        paths["/api/{user_id}/tasks/{task_id}"]["put"],
        paths["/api/{user_id}/tasks/{task_id}"]["delete"],
    ]

    def header_names(operation: dict[str, Any]) -> list[str]:
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        return [name for name in headers if name != "X-Time-Zone"]  # the user's zone, elsewhere

    for operation in keyed_operations:
        assert header_names(operation) == ["Idempotency-Key"]
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert REPLAYED in operation["responses"][success]["headers"]
        assert "409" in operation["responses"]
    assert all(header_names(operation) == [] for operation in others)
