"""Property: whatever several users do, none of them ever reads, changes or learns of another's data."""

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from history_service.app import create_app
from todo_testing.tokens import auth_header

USERS = ["ann", "ben", "cat"]
operations = st.lists(
    st.tuples(
        st.sampled_from(["create", "message", "rename", "delete", "read", "list"]),
        st.sampled_from(USERS),  # who acts
        st.integers(min_value=0, max_value=20),  # which conversation (index into all ever created)
        # NUL is refused with 422 (test_messages covers it); this property is about isolation.
        st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def sync_client(settings):
    with TestClient(create_app(settings)) as client:
        yield client


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations)
def test_no_user_ever_sees_another_users_conversations(sync_client, ops):
    run = uuid.uuid4().hex[:8]
    users = {name: f"{name}-{run}" for name in USERS}
    ids: list[str] = []  # every conversation id ever created, by anyone, in creation order
    live: dict[str, set[str]] = {name: set() for name in USERS}
    deleted: dict[str, set[str]] = {name: set() for name in USERS}
    texts: dict[str, set[str]] = {name: set() for name in USERS}

    def call(method, name, path, **kwargs):
        user = users[name]
        return sync_client.request(
            method, f"/api/{user}{path}", headers=auth_header(user), **kwargs
        )

    for op, actor, index, content in ops:
        if op == "create" or not ids:
            # Ids are scoped to their owner: users pick from a few shared ones, which must neither
            # fail for nor reveal anything of whoever took them first.
            body = {"id": f"shared-{index % 4}"} if index % 2 else {}
            response = call("POST", actor, "/conversations", json=body)
            cid = body.get("id")
            expected = 200 if cid in live[actor] else 409 if cid in deleted[actor] else 201
            assert response.status_code == expected
            if expected == 201:
                ids.append(response.json()["id"])
                live[actor].add(response.json()["id"])
            continue
        cid = ids[index % len(ids)]
        visible = cid in live[actor]
        if op == "message":
            response = call(
                "POST",
                actor,
                f"/conversations/{cid}/messages",
                json={"role": "user", "content": content},
            )
            assert response.status_code == (201 if visible else 404)
            if visible:
                texts[actor].add(content)
        elif op == "rename":
            response = call("PATCH", actor, f"/conversations/{cid}", json={"title": content})
            assert response.status_code in ((200, 422) if visible else (404, 422))
        elif op == "delete":
            response = call("DELETE", actor, f"/conversations/{cid}")
            assert response.status_code == (204 if visible else 404)
            if visible:
                live[actor].discard(cid)
                deleted[actor].add(cid)
        elif op == "read":
            response = call("GET", actor, f"/conversations/{cid}/messages", params={"limit": 200})
            assert response.status_code == (200 if visible else 404)
            if visible:
                assert {m["content"] for m in response.json()["items"]} <= texts[actor]
        listed = call("GET", actor, "/conversations", params={"limit": 100}).json()["items"]
        assert {c["id"] for c in listed} == live[actor]
        assert all(c["user_id"] == users[actor] for c in listed)
