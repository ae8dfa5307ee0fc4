"""Conversations: create (idempotent ids), list with keyset paging and search, rename, soft delete."""

import base64
import json
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import text

from history_service.cursors import LISTING
from todo_common.cursors import Cursors
from todo_testing.tokens import TEST_JWT_SECRET

# Cursors signed as the service signs them, around any payload: what a leaked key would allow.
FORGED = Cursors(TEST_JWT_SECRET, LISTING, TypeAdapter(Any))


async def test_create_returns_the_conversation(alice):
    created = await alice.create_conversation(title="Groceries")
    assert created["user_id"] == "alice"
    assert created["title"] == "Groceries"
    assert created["message_count"] == 0
    assert created["last_message_preview"] is None
    assert created["created_at"].endswith("Z") or created["created_at"].endswith("+00:00")


async def test_same_id_again_returns_the_existing_conversation_with_200(alice):
    first = await alice.create_conversation(id="chat-1", title="First")
    again = await alice.post("/conversations", json={"id": "chat-1", "title": "Other"})
    assert again.status_code == 200
    assert again.json() == first


async def test_an_id_another_user_holds_is_simply_created(alice, bob):
    # Ids are scoped to their owner: taking one tells nothing of, and blocks nothing for, others.
    await bob.create_conversation(id="shared-id", title="Bob's")
    mine = await alice.post("/conversations", json={"id": "shared-id", "title": "Alice's"})
    assert mine.status_code == 201, mine.text
    assert mine.json()["user_id"] == "alice"
    assert (await bob.get("/conversations/shared-id")).json()["title"] == "Bob's"


async def test_two_users_with_one_conversation_id_each_see_only_their_own(alice, bob):
    for user in (alice, bob):
        await user.create_conversation(id="same")
        await user.add_message("same", f"{user.user_id} 1", id="m1")
        await user.add_message("same", f"{user.user_id} 2", id="m2")
    await bob.patch("/conversations/same", json={"title": "Renamed by bob"})
    await bob.delete("/conversations/same/messages/m2")
    for user, contents in ((alice, ["alice 1", "alice 2"]), (bob, ["bob 1"])):
        page = (await user.get("/conversations/same/messages")).json()
        assert [m["content"] for m in page["items"]] == contents
        after = (await user.get("/conversations/same/messages", params={"after": "m1"})).json()
        assert [m["content"] for m in after["items"]] == contents[1:]
        message = (await user.get("/conversations/same/messages/m1")).json()
        assert message["content"] == f"{user.user_id} 1"
        [listed] = (await user.get("/conversations")).json()["items"]
        assert (listed["user_id"], listed["message_count"]) == (user.user_id, len(contents))
    assert (await alice.get("/conversations/same")).json()["title"] == "alice 1"
    assert (await bob.delete("/conversations/same")).status_code == 204
    assert (await alice.get("/conversations/same")).status_code == 200
    assert (await bob.post("/conversations", json={"id": "same"})).status_code == 409
    assert (await alice.post("/conversations", json={"id": "same"})).status_code == 200


async def test_invalid_ids_and_titles_are_rejected_naming_the_field(alice):
    for body, field in [
        ({"id": "has space"}, "id"),
        ({"id": "x" * 65}, "id"),
        ({"title": "t" * 201}, "title"),
        ({"title": "   "}, "title"),
    ]:
        response = await alice.post("/conversations", json=body)
        assert response.status_code == 422, body
        assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_list_is_newest_activity_first_and_pages_without_loss(alice):
    ids = [(await alice.create_conversation(title=f"c{i}"))["id"] for i in range(7)]
    await alice.add_message(ids[2], "bump this one to the top")
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await alice.get("/conversations", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        assert page["has_more"] == (page["next_cursor"] is not None)
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == [ids[2], *[i for i in reversed(ids) if i != ids[2]]]


async def test_search_filters_by_title_case_insensitively(alice):
    await alice.create_conversation(title="Weekly GROCERIES")
    await alice.create_conversation(title="Taxes")
    await alice.create_conversation(title="100% done_ok")
    found = (await alice.get("/conversations", params={"q": "groceries"})).json()["items"]
    assert [c["title"] for c in found] == ["Weekly GROCERIES"]
    wildcard = (await alice.get("/conversations", params={"q": "%"})).json()["items"]
    assert [c["title"] for c in wildcard] == ["100% done_ok"]


async def test_limit_bounds_and_bad_cursor_are_422(alice):
    for params, field in [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
    ]:
        response = await alice.get("/conversations", params=params)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field


def tampered(cursor: str) -> str:
    """`cursor` with another conversation id in its payload, its signature kept."""
    header, payload, signature = cursor.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data["position"]["id"] = "someone-elses"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


async def test_a_cursor_is_opaque_and_a_forged_one_with_sound_values_works(alice):
    for title in ("a", "b", "c"):
        await alice.create_conversation(title=title)
    first = (await alice.get("/conversations", params={"limit": 1})).json()
    position = {"updated_at": first["items"][0]["updated_at"], "id": first["items"][0]["id"]}
    again = await alice.get("/conversations", params={"cursor": FORGED.encode(position)})
    assert first["items"][0]["id"] not in first["next_cursor"]
    assert [c["title"] for c in again.json()["items"]] == ["b", "a"]


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(tampered, id="tampered"),
        pytest.param(lambda c: c[:-5], id="truncated"),
        pytest.param(lambda c: c + "\x00", id="nul"),
        pytest.param(lambda c: "garbage!", id="garbage"),
        pytest.param(lambda c: "9" * 500, id="huge-number"),
        pytest.param(lambda c: FORGED.encode({"updated_at": 10**30, "id": "c"}), id="huge-time"),
        pytest.param(lambda c: FORGED.encode({"updated_at": "2030-01-01", "id": 1}), id="types"),
        pytest.param(lambda c: FORGED.encode({"updated_at": "2030-01-01T00:00:00"}), id="short"),
        pytest.param(lambda c: FORGED.encode(["2030-01-01T00:00:00Z", "c"]), id="not-an-object"),
        pytest.param(lambda c: FORGED.encode("c"), id="a-string"),
        pytest.param(
            lambda c: FORGED.encode({"updated_at": "2030-01-01T00:00:00Z", "id": 2**70}),
            id="huge-id",
        ),
        pytest.param(
            lambda c: FORGED.encode({"updated_at": "2030-01-01T00:00:00Z", "id": "a\x00"}),
            id="nul-inside",
        ),
    ],
)
async def test_a_cursor_we_did_not_issue_is_422_naming_it(alice, cursor):
    for title in ("a", "b"):
        await alice.create_conversation(title=title)
    issued = (await alice.get("/conversations", params={"limit": 1})).json()["next_cursor"]
    response = await alice.get("/conversations", params={"cursor": cursor(issued)})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["cursor"]


async def test_rename(alice):
    conversation = await alice.create_conversation()
    response = await alice.patch(
        f"/conversations/{conversation['id']}", json={"title": "  Renamed  "}
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert (await alice.get(f"/conversations/{conversation['id']}")).json()["title"] == "Renamed"
    assert (
        await alice.patch(f"/conversations/{conversation['id']}", json={"title": ""})
    ).status_code == 422


async def test_soft_delete_hides_it_everywhere_and_keeps_the_rows(alice, db):
    conversation = await alice.create_conversation()
    cid = conversation["id"]
    await alice.add_message(cid, "remember me")
    assert (await alice.delete(f"/conversations/{cid}")).status_code == 204
    assert (await alice.get(f"/conversations/{cid}")).status_code == 404
    assert (await alice.patch(f"/conversations/{cid}", json={"title": "x"})).status_code == 404
    assert (await alice.delete(f"/conversations/{cid}")).status_code == 404
    assert (await alice.get(f"/conversations/{cid}/messages")).status_code == 404
    assert (
        await alice.post(f"/conversations/{cid}/messages", json={"role": "user", "content": "hi"})
    ).status_code == 404
    assert (await alice.post("/conversations", json={"id": cid})).status_code == 409
    assert cid not in [c["id"] for c in (await alice.get("/conversations")).json()["items"]]
    async with db.connect() as connection:
        deleted_at = (
            await connection.execute(
                text("SELECT deleted_at FROM conversations WHERE id = :id"), {"id": cid}
            )
        ).scalar_one()
        kept = (
            await connection.execute(
                text("SELECT count(*) FROM messages WHERE conversation_id = :id"), {"id": cid}
            )
        ).scalar_one()
    assert deleted_at is not None
    assert kept == 1


async def test_another_users_conversation_is_404_never_200(alice, bob):
    cid = (await alice.create_conversation(title="private"))["id"]
    await alice.add_message(cid, "secret")
    for method, path, body in [
        ("GET", f"/conversations/{cid}", None),
        ("PATCH", f"/conversations/{cid}", {"title": "mine now"}),
        ("DELETE", f"/conversations/{cid}", None),
        ("GET", f"/conversations/{cid}/messages", None),
        ("POST", f"/conversations/{cid}/messages", {"role": "user", "content": "hi"}),
    ]:
        response = await bob.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert "secret" not in response.text
        assert "private" not in response.text
    assert (await alice.get(f"/conversations/{cid}")).json()["title"] == "private"
