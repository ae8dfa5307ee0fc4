"""Messages: append, idempotent retries, limits, metadata round trip, upsert, delete, stable paging."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text


@pytest.fixture
async def conversation(alice) -> str:
    return (await alice.create_conversation())["id"]


async def message_count(db, conversation_id: str) -> int:
    async with db.connect() as connection:
        query = text("SELECT count(*) FROM messages WHERE conversation_id = :id")
        return (await connection.execute(query, {"id": conversation_id})).scalar_one()


async def test_first_user_message_titles_the_conversation_and_updates_the_summary(
    alice, conversation
):
    before = (await alice.get(f"/conversations/{conversation}")).json()
    await alice.add_message(
        conversation, "Please add a task to buy groceries and then call the dentist about Monday"
    )
    await alice.add_message(conversation, "Done! I added it.", role="assistant")
    after = (await alice.get(f"/conversations/{conversation}")).json()
    assert after["title"] == "Please add a task to buy groceries and then call"
    assert after["message_count"] == 2
    assert after["last_message_preview"] == "Done! I added it."
    assert after["updated_at"] > before["updated_at"]


async def test_preview_is_at_most_100_characters(alice, conversation):
    await alice.add_message(conversation, "word " * 60)
    preview = (await alice.get(f"/conversations/{conversation}")).json()["last_message_preview"]
    assert len(preview) == 100
    assert preview.endswith("…")


async def test_a_titled_conversation_keeps_its_title(alice):
    cid = (await alice.create_conversation(title="Mine"))["id"]
    await alice.add_message(cid, "something else entirely")
    assert (await alice.get(f"/conversations/{cid}")).json()["title"] == "Mine"


async def test_user_message_length_boundary(alice, conversation, db):
    ok = await alice.post(
        f"/conversations/{conversation}/messages", json={"role": "user", "content": "x" * 10_000}
    )
    assert ok.status_code == 201
    too_long = await alice.post(
        f"/conversations/{conversation}/messages", json={"role": "user", "content": "x" * 10_001}
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "content"
    empty = await alice.post(
        f"/conversations/{conversation}/messages", json={"role": "user", "content": ""}
    )
    assert empty.status_code == 422
    assert await message_count(db, conversation) == 1
    assert (await alice.get(f"/conversations/{conversation}")).json()["message_count"] == 1


async def test_other_roles_may_be_long_or_empty(alice, conversation):
    await alice.add_message(conversation, "y" * 100_000, role="assistant")
    await alice.add_message(conversation, "", role="assistant")
    response = await alice.post(
        f"/conversations/{conversation}/messages", json={"role": "tool", "content": "z" * 100_001}
    )
    assert response.status_code == 422
    bad_role = await alice.post(
        f"/conversations/{conversation}/messages", json={"role": "robot", "content": "hi"}
    )
    assert bad_role.status_code == 422
    assert bad_role.json()["errors"][0]["field"] == "role"


async def test_same_id_and_body_is_a_retry_and_different_body_is_409(alice, conversation, db):
    body = {
        "id": "turn-1-user",
        "role": "user",
        "content": "Add a task",
        "metadata": {"client": "web"},
    }
    first = await alice.post(f"/conversations/{conversation}/messages", json=body)
    retry = await alice.post(f"/conversations/{conversation}/messages", json=body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    changed = await alice.post(
        f"/conversations/{conversation}/messages", json={**body, "content": "Something else"}
    )
    assert changed.status_code == 409
    assert await message_count(db, conversation) == 1
    assert (await alice.get(f"/conversations/{conversation}")).json()["message_count"] == 1


async def test_metadata_and_tool_calls_round_trip_exactly(alice, conversation):
    metadata = {"z": 1, "a": {"nested": [1, 2.5, None, True]}, "ünïcode": "✓ 日本", "empty": {}}
    tool_calls = [
        {
            "id": "call_1",
            "name": "add_task",
            "arguments": {"title": "Buy milk"},
            "result": {"task_id": 3},
            "status": "ok",
            "duration_ms": 4.2,
        },
        {
            "id": "call_2",
            "name": "delete_task",
            "arguments": '{"task_id": 99}',
            "result": "Task 99 not found",
            "status": "error",
            "duration_ms": 1.0,
        },
    ]
    created = await alice.add_message(
        conversation, "Done.", role="assistant", metadata=metadata, tool_calls=tool_calls
    )
    fetched = (await alice.get(f"/conversations/{conversation}/messages/{created['id']}")).json()
    assert fetched["metadata"] == metadata
    assert list(fetched["metadata"]) == list(metadata)
    assert fetched["tool_calls"] == tool_calls
    # Listings serve the stored JSON as it is: the same documents, key order included.
    listed = (await alice.get(f"/conversations/{conversation}/messages")).json()["items"]
    assert listed == [created]
    assert list(listed[0]["metadata"]) == list(metadata)
    appended = await alice.post(
        f"/conversations/{conversation}/messages:append",
        params={"recent": 2},
        json={"role": "user", "content": "Thanks"},
    )
    assert appended.json()["recent"] == [created, appended.json()["message"]]


async def test_integers_at_the_ends_of_the_64_bit_range_round_trip(alice, conversation):
    low, high = -(2**63), 2**63 - 1
    created = await alice.add_message(
        conversation,
        "x",
        role="assistant",
        metadata={"n": high},
        tool_calls=[{"id": "c", "name": "n", "arguments": {"n": low}, "result": [high]}],
    )
    listed = (await alice.get(f"/conversations/{conversation}/messages")).json()["items"]
    assert listed == [created]
    assert listed[0]["metadata"] == {"n": high}
    assert listed[0]["tool_calls"][0]["arguments"] == {"n": low}


async def test_nan_or_infinity_in_json_fields_is_422_naming_the_field(alice, conversation, db):
    path = f"/api/alice/conversations/{conversation}/messages"
    headers = {**alice.headers, "content-type": "application/json"}
    for body, field in [
        (b'{"role": "assistant", "content": "x", "metadata": {"v": NaN}}', "metadata"),
        (
            b'{"role": "assistant", "content": "x",'
            b' "tool_calls": [{"id": "c", "name": "n", "result": {"v": Infinity}}]}',
            "tool_calls.0.result",
        ),
        (
            b'{"role": "assistant", "content": "x",'
            b' "tool_calls": [{"id": "c", "name": "n", "arguments": {"v": -Infinity}}]}',
            "tool_calls.0.arguments",
        ),
    ]:
        response = await alice.client.post(path, content=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    assert await message_count(db, conversation) == 0


async def test_oversized_metadata_is_rejected(alice, conversation):
    response = await alice.post(
        f"/conversations/{conversation}/messages",
        json={"role": "assistant", "content": "x", "metadata": {"blob": "a" * 70_000}},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "metadata"


async def test_metadata_may_exceed_its_bound_by_the_content_and_no_more(alice, conversation):
    # The bound is 64 KiB of compact UTF-8 JSON beyond the content as a JSON string.
    content = "😀" * 10_000  # 40,002 bytes as a JSON string
    fits = "a" * (64 * 1024 + 40_002 - len('{"blob":""}'))
    path = f"/conversations/{conversation}/messages"
    accepted = await alice.post(
        path, json={"role": "user", "content": content, "metadata": {"blob": fits}}
    )
    assert accepted.status_code == 201, accepted.text
    refused = await alice.post(
        path, json={"role": "user", "content": content, "metadata": {"blob": fits + "a"}}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "metadata"


async def test_put_creates_then_replaces(alice, conversation):
    path = f"/conversations/{conversation}/messages/assistant-1"
    created = await alice.put(path, json={"role": "assistant", "content": "Partial"})
    replaced = await alice.put(
        path, json={"role": "assistant", "content": "Partial, then complete."}
    )
    assert (created.status_code, replaced.status_code) == (201, 200)
    assert replaced.json()["created_at"] == created.json()["created_at"]
    summary = (await alice.get(f"/conversations/{conversation}")).json()
    assert summary["message_count"] == 1
    assert summary["last_message_preview"] == "Partial, then complete."


async def test_delete_message_updates_the_summary(alice, conversation):
    await alice.add_message(conversation, "first")
    second = await alice.add_message(conversation, "second", role="assistant")
    assert (
        await alice.delete(f"/conversations/{conversation}/messages/{second['id']}")
    ).status_code == 204
    assert (
        await alice.get(f"/conversations/{conversation}/messages/{second['id']}")
    ).status_code == 404
    summary = (await alice.get(f"/conversations/{conversation}")).json()
    assert (summary["message_count"], summary["last_message_preview"]) == (1, "first")


async def test_messages_with_identical_timestamps_page_without_loss_or_repeat(
    alice, conversation, db
):
    tie = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.begin() as connection:
        for i in range(23):
            await connection.execute(
                text(
                    "INSERT INTO messages (id, conversation_id, seq, user_id, role, content, created_at) "
                    "VALUES (:id, :cid, :seq, 'alice', 'user', :content, :at)"
                ),
                {
                    "id": f"m{i:02d}",
                    "cid": conversation,
                    "seq": i + 1,
                    "content": f"message {i}",
                    "at": tie,
                },
            )
        await connection.execute(
            text("UPDATE conversations SET last_seq = 23 WHERE id = :id"), {"id": conversation}
        )
    expected = [f"m{i:02d}" for i in range(23)]
    for order, want in [("asc", expected), ("desc", expected[::-1])]:
        seen, after = [], None
        while True:
            params = {"limit": 5, "order": order, **({"after": after} if after else {})}
            page = (
                await alice.get(f"/conversations/{conversation}/messages", params=params)
            ).json()
            seen += [m["id"] for m in page["items"]]
            if not page["has_more"]:
                break
            after = page["next_cursor"]
        assert seen == want, order


async def test_after_an_unknown_message_is_422_naming_after(alice, conversation):
    response = await alice.get(f"/conversations/{conversation}/messages", params={"after": "nope"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "after"


async def test_a_message_of_another_users_conversation_is_404(alice, bob, conversation):
    message = await alice.add_message(conversation, "mine")
    path = f"/conversations/{conversation}/messages/{message['id']}"
    assert (await bob.get(path)).status_code == 404
    assert (await bob.put(path, json={"role": "user", "content": "hijack"})).status_code == 404
    assert (await bob.delete(path)).status_code == 404
    assert (await alice.get(path)).json()["content"] == "mine"


async def test_nul_characters_are_422_not_a_database_error(alice, conversation):
    response = await alice.post(
        f"/conversations/{conversation}/messages", json={"role": "user", "content": "a\x00b"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "content"
    renamed = await alice.patch(f"/conversations/{conversation}", json={"title": "\x00"})
    assert renamed.status_code == 422
    assert (await alice.get("/conversations", params={"q": "\x00"})).status_code == 422


async def test_a_lone_surrogate_is_422_not_a_database_error(alice, conversation):
    # JSON may escape half of a surrogate pair, which has no UTF-8 form and cannot be stored.
    json_body = {"headers": {"content-type": "application/json"}}
    added = await alice.post(
        f"/conversations/{conversation}/messages",
        content='{"role": "user", "content": "a\\ud800b"}',
        **json_body,
    )
    put = await alice.put(
        f"/conversations/{conversation}/messages/m1",
        content='{"role": "tool", "content": "\\udfff"}',
        **json_body,
    )
    renamed = await alice.patch(
        f"/conversations/{conversation}", content='{"title": "\\ud83d"}', **json_body
    )
    assert [r.status_code for r in (added, put, renamed)] == [422, 422, 422]
    assert [r.json()["errors"][0]["field"] for r in (added, put, renamed)] == [
        "content",
        "content",
        "title",
    ]
    assert (await alice.get(f"/conversations/{conversation}/messages")).json()["items"] == []


def batch(*messages: tuple[str, str, str]) -> dict:
    return {"messages": [{"id": i, "role": role, "content": text} for i, role, text in messages]}


async def test_batch_stores_a_turn_in_order_and_updates_the_summary(alice, conversation):
    await alice.add_message(conversation, "Add milk", id="u1")
    response = await alice.put(
        f"/conversations/{conversation}/messages:batch",
        json=batch(("wf-1", "tool", "Called add_task."), ("a-1", "assistant", "Added milk.")),
    )
    assert response.status_code == 200, response.text
    assert [m["id"] for m in response.json()["items"]] == ["wf-1", "a-1"]
    listed = (await alice.get(f"/conversations/{conversation}/messages")).json()["items"]
    assert [m["id"] for m in listed] == ["u1", "wf-1", "a-1"]
    summary = (await alice.get(f"/conversations/{conversation}")).json()
    assert summary["message_count"] == 3
    assert summary["last_message_preview"] == "Added milk."
    assert summary["title"] == "Add milk"


async def test_batch_again_replaces_without_duplicates(alice, conversation):
    path = f"/conversations/{conversation}/messages:batch"
    await alice.put(
        path, json=batch(("wf-1", "tool", "Called add_task."), ("a-1", "assistant", "Part"))
    )
    again = await alice.put(
        path,
        json=batch(
            ("wf-1", "tool", "Called add_task."),
            ("a-1", "assistant", "Complete."),
            ("a-2", "assistant", "And more."),
        ),
    )
    assert again.status_code == 200, again.text
    listed = (await alice.get(f"/conversations/{conversation}/messages")).json()["items"]
    assert [(m["id"], m["content"]) for m in listed] == [
        ("wf-1", "Called add_task."),
        ("a-1", "Complete."),
        ("a-2", "And more."),
    ]
    assert (await alice.get(f"/conversations/{conversation}")).json()["message_count"] == 3


async def test_batch_with_prefer_return_minimal_stores_and_answers_204(alice, conversation):
    response = await alice.put(
        f"/conversations/{conversation}/messages:batch",
        json=batch(("wf-1", "tool", "Called add_task."), ("a-1", "assistant", "Added milk.")),
        headers={"Prefer": "handling=strict, return=minimal"},
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert response.headers["preference-applied"] == "return=minimal"
    listed = (await alice.get(f"/conversations/{conversation}/messages")).json()["items"]
    assert [(m["id"], m["content"]) for m in listed] == [
        ("wf-1", "Called add_task."),
        ("a-1", "Added milk."),
    ]
    other = await alice.put(
        f"/conversations/{conversation}/messages:batch",
        json=batch(("a-1", "assistant", "Added milk!")),
        headers={"Prefer": "return=representation"},
    )
    assert other.status_code == 200
    assert other.json()["items"][0]["content"] == "Added milk!"


async def test_concurrent_writes_to_one_conversation_all_land_numbered_without_gaps(
    alice, conversation, db
):
    path = f"/conversations/{conversation}/messages"
    appends = [
        alice.post(path, json={"id": f"u{i}", "role": "user", "content": "hi"}) for i in range(8)
    ]
    batches = [
        alice.put(f"{path}:batch", json=batch((f"t{i}", "tool", "t"), (f"a{i}", "assistant", "a")))
        for i in range(4)
    ]
    responses = await asyncio.gather(*appends, *batches)
    assert [r.status_code for r in responses] == [201] * 8 + [200] * 4
    async with db.connect() as connection:
        query = text("SELECT seq, id FROM messages WHERE conversation_id = :id ORDER BY seq")
        rows = (await connection.execute(query, {"id": conversation})).all()
    assert [seq for seq, _ in rows] == list(range(1, 17))
    order = [message_id for _, message_id in rows]
    assert all(order.index(f"a{i}") == order.index(f"t{i}") + 1 for i in range(4))
    assert (await alice.get(f"/conversations/{conversation}")).json()["message_count"] == 16


async def test_batch_is_all_or_nothing(alice, conversation, db):
    response = await alice.put(
        f"/conversations/{conversation}/messages:batch",
        json=batch(("ok-1", "assistant", "fine"), ("bad", "user", "x" * 10_001)),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "messages.1.content"
    duplicate = await alice.put(
        f"/conversations/{conversation}/messages:batch",
        json=batch(("same", "assistant", "a"), ("same", "assistant", "b")),
    )
    assert duplicate.status_code == 422
    assert await message_count(db, conversation) == 0


async def test_batch_into_another_users_conversation_is_404(alice, bob, conversation, db):
    response = await bob.put(
        f"/conversations/{conversation}/messages:batch", json=batch(("x", "assistant", "hijack"))
    )
    assert response.status_code == 404
    missing = await alice.put(
        "/conversations/nope/messages:batch", json=batch(("x", "assistant", "lost"))
    )
    assert missing.status_code == 404
    assert await message_count(db, conversation) == 0


async def test_append_returns_the_newest_messages_ending_with_the_new_one(alice, conversation):
    for n in range(4):
        await alice.add_message(conversation, f"earlier {n}", id=f"e{n}")
    response = await alice.post(
        f"/conversations/{conversation}/messages:append",
        params={"recent": 3},
        json={"id": "u-new", "role": "user", "content": "Add milk"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["message"]["id"] == "u-new"
    assert [m["id"] for m in body["recent"]] == ["e2", "e3", "u-new"]
    assert body["recent"][-1] == body["message"]
    summary = (await alice.get(f"/conversations/{conversation}")).json()
    assert summary["message_count"] == 5
    assert summary["last_message_preview"] == "Add milk"


async def test_append_retry_is_200_without_a_copy_and_reuse_is_409(alice, conversation, db):
    path = f"/conversations/{conversation}/messages:append"
    message = {"id": "u-1", "role": "user", "content": "Buy milk"}
    assert (await alice.post(path, json=message)).status_code == 201
    retry = await alice.post(path, json=message)
    assert retry.status_code == 200
    assert [m["id"] for m in retry.json()["recent"]] == ["u-1"]
    reused = await alice.post(path, json={**message, "content": "Buy bread"})
    assert reused.status_code == 409
    assert await message_count(db, conversation) == 1


async def test_append_rejects_bad_input_and_foreign_conversations(alice, bob, conversation, db):
    path = f"/conversations/{conversation}/messages:append"
    too_long = await alice.post(path, json={"role": "user", "content": "x" * 10_001})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "content"
    too_many = await alice.post(
        path, params={"recent": 201}, json={"role": "user", "content": "hi"}
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "recent"
    assert (await bob.post(path, json={"role": "user", "content": "hijack"})).status_code == 404
    missing = await alice.post(
        "/conversations/nope/messages:append", json={"role": "user", "content": "lost"}
    )
    assert missing.status_code == 404
    assert await message_count(db, conversation) == 0


async def test_a_retried_post_after_other_messages_keeps_one_copy(alice, conversation, db):
    first = await alice.add_message(conversation, "Buy milk", id="m-1")
    await alice.add_message(conversation, "Noted.", role="assistant")
    retry = await alice.post(
        f"/conversations/{conversation}/messages",
        json={"id": "m-1", "role": "user", "content": "Buy milk"},
    )
    assert retry.status_code == 200
    assert retry.json()["created_at"] == first["created_at"]
    assert await message_count(db, conversation) == 2
    summary = (await alice.get(f"/conversations/{conversation}")).json()
    assert (summary["message_count"], summary["last_message_preview"]) == (2, "Noted.")


async def test_concurrent_appends_each_see_a_window_ending_at_their_own_message(
    alice, conversation
):
    path = f"/conversations/{conversation}/messages:append"
    appends = [
        alice.post(
            path, params={"recent": 50}, json={"id": f"c{i}", "role": "user", "content": "hi"}
        )
        for i in range(10)
    ]
    for response in await asyncio.gather(*appends):
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["recent"][-1]["id"] == body["message"]["id"]
    # A retry's window ends at the stored message too, however many came after it.
    retry = await alice.post(path, json={"id": "c0", "role": "user", "content": "hi"})
    assert retry.status_code == 200
    assert retry.json()["recent"][-1]["id"] == "c0"


async def test_a_put_with_if_match_replaces_only_the_message_as_it_was_read(alice, conversation):
    path = f"/conversations/{conversation}/messages/m-cas"
    created = await alice.put(path, json={"role": "user", "content": "Buy milk"})
    assert created.status_code == 201
    read = await alice.get(path)
    tag = read.headers["etag"]
    assert tag == created.headers["etag"]

    first = await alice.put(
        path,
        json={"role": "user", "content": "Buy milk", "metadata": {"n": 1}},
        headers={"If-Match": tag},
    )
    assert first.status_code == 200
    assert first.headers["etag"] != tag
    # A second writer holding the same, now stale, tag loses.
    second = await alice.put(
        path,
        json={"role": "user", "content": "Buy milk", "metadata": {"n": 2}},
        headers={"If-Match": tag},
    )
    assert second.status_code == 412
    assert second.headers["content-type"] == "application/problem+json"
    assert (await alice.get(path)).json()["metadata"] == {"n": 1}
    missing = await alice.put(
        f"/conversations/{conversation}/messages/nope",
        json={"role": "user", "content": "x"},
        headers={"If-Match": tag},
    )
    assert missing.status_code == 412
    assert (await alice.get(f"/conversations/{conversation}/messages/nope")).status_code == 404
