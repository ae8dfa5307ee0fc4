"""The ChatKit server protocol end to end: streamed events, threads, items, errors."""

import httpx2

from agent_gateway.thread_items import FAILED_TOOL_ICON
from tests.gateway.chat_client import (
    chat_ok,
    chatkit,
    chatkit_json,
    chatkit_stream,
    messages,
    new_user,
    streamed_text,
    user_input,
)


def start_thread(base_url, user, text="Add a task to buy milk"):
    events = chatkit_stream(base_url, user, "threads.create", input=user_input(text))
    return events[0]["thread"]["id"], events


def test_threads_create_streams_the_turn_and_stores_it(gateway_server, history_server):
    user = new_user()
    thread_id, events = start_thread(gateway_server.url, user)
    kinds = [(e["type"], e.get("item", {}).get("type")) for e in events]
    assert kinds[0] == ("thread.created", None)
    assert ("thread.item.done", "user_message") in kinds
    assert ("thread.item.added", "workflow") in kinds
    assert ("thread.item.done", "workflow") in kinds
    assert kinds[-1] == ("thread.item.done", "assistant_message")
    # The tool call is shown running, then replaced by its finished item (the one stored).
    [running] = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.added" and e["item"]["type"] == "workflow"
    ]
    [finished] = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "workflow"
    ]
    assert running["id"] == finished["id"]
    assert running["workflow"]["tasks"][0]["status_indicator"] == "loading"
    assert finished["workflow"]["tasks"][0]["status_indicator"] == "complete"
    deltas = [e for e in events if e.get("update", {}).get("type", "").endswith("text_delta")]
    assert len(deltas) > 1
    assert 'added "Buy milk"' in streamed_text(events)

    stored = messages(history_server.url, user, thread_id)
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]
    assert stored[1]["tool_calls"][0]["name"] == "add_task"
    assert stored[1]["tool_calls"][0]["status"] == "ok"
    assert stored[2]["id"] == events[-1]["item"]["id"] != "__fake_id__"
    assert stored[1]["id"] == finished["id"]
    assert (
        stored[1]["metadata"]["chatkit_item"]["workflow"]["tasks"] == finished["workflow"]["tasks"]
    )


def test_list_get_items_rename_delete(gateway_server):
    user = new_user()
    thread_id, events = start_thread(gateway_server.url, user)
    listed = chatkit_json(gateway_server.url, user, "threads.list", limit=10)
    assert [t["id"] for t in listed["data"]] == [thread_id]

    thread = chatkit_json(gateway_server.url, user, "threads.get_by_id", thread_id=thread_id)
    items = chatkit_json(gateway_server.url, user, "items.list", thread_id=thread_id, order="asc")
    streamed = [e["item"] for e in events if e["type"] == "thread.item.done"]
    assert items["data"] == streamed
    assert thread["items"]["data"] == streamed

    renamed = chatkit_json(
        gateway_server.url, user, "threads.update", thread_id=thread_id, title="Groceries"
    )
    assert renamed["title"] == "Groceries"
    assert (
        chatkit_json(gateway_server.url, user, "threads.get_by_id", thread_id=thread_id)["title"]
        == "Groceries"
    )

    assert (
        chatkit(gateway_server.url, user, "threads.delete", thread_id=thread_id).status_code == 200
    )
    gone = chatkit(gateway_server.url, user, "threads.get_by_id", thread_id=thread_id)
    assert gone.status_code == 404


def test_retry_after_item_rewrites_the_answer_once(gateway_server, history_server):
    user = new_user()
    thread_id, events = start_thread(gateway_server.url, user, "What's pending?")
    user_item = next(e["item"] for e in events if e.get("item", {}).get("type") == "user_message")
    retried = chatkit_stream(
        gateway_server.url,
        user,
        "threads.retry_after_item",
        thread_id=thread_id,
        item_id=user_item["id"],
    )
    assert "pending" in streamed_text(retried).lower()
    roles = [m["role"] for m in messages(history_server.url, user, thread_id)]
    assert roles == ["user", "tool", "assistant"]


def test_feedback_is_kept_beside_the_item(gateway_server, history_server):
    user = new_user()
    thread_id, events = start_thread(gateway_server.url, user, "hello")
    answer_id = events[-1]["item"]["id"]
    chatkit_json(
        gateway_server.url,
        user,
        "items.feedback",
        thread_id=thread_id,
        item_ids=[answer_id],
        kind="positive",
    )
    stored = messages(history_server.url, user, thread_id)[-1]
    assert stored["metadata"]["feedback"] == "positive"
    assert stored["metadata"]["chatkit_item"] == events[-1]["item"]


def test_missing_or_foreign_threads_are_404_not_500_or_a_cut_stream(gateway_server):
    owner, stranger = new_user(), new_user()
    thread_id, events = start_thread(gateway_server.url, owner, "hello")
    for thread in (thread_id, "thr_does_not_exist"):
        for kind, params in [
            ("threads.get_by_id", {}),
            ("items.list", {}),
            ("threads.update", {"title": "x"}),
            ("threads.delete", {}),
            ("items.feedback", {"item_ids": ["x"], "kind": "negative"}),
            ("threads.add_user_message", {"input": user_input("hi")}),
            ("threads.retry_after_item", {"item_id": events[-1]["item"]["id"]}),
        ]:
            response = chatkit(gateway_server.url, stranger, kind, thread_id=thread, **params)
            assert response.status_code == 404, (kind, response.text)
            assert response.headers["content-type"] == "application/problem+json"


def test_no_token_is_401_and_garbage_is_422(gateway_server):
    response = httpx2.post(
        f"{gateway_server.url}/chatkit", json={"type": "threads.list", "params": {}}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    user = new_user()
    assert chatkit(gateway_server.url, user, "threads.explode").status_code == 422


def test_a_conversation_moves_between_rest_and_chatkit(gateway_server, mcp_server):
    user = new_user()
    first = chat_ok(gateway_server.url, user, "Add a task to call the bank")
    thread_id = first["conversation_id"]
    items = chatkit_json(gateway_server.url, user, "items.list", thread_id=thread_id, order="asc")
    assert [i["type"] for i in items["data"]] == ["user_message", "workflow", "assistant_message"]

    events = chatkit_stream(
        gateway_server.url,
        user,
        "threads.add_user_message",
        thread_id=thread_id,
        input=user_input("Show me all my tasks"),
    )
    assert "Call the bank" in streamed_text(events)

    other_id, _ = start_thread(gateway_server.url, user, "Add a task to walk the dog")
    back = chat_ok(gateway_server.url, user, "What's pending?", conversation_id=other_id)
    assert "Walk the dog" in back["response"]


def test_a_failed_tool_call_is_flagged_not_ticked(gateway_server):
    user = new_user()
    events = chatkit_stream(
        gateway_server.url, user, "threads.create", input=user_input("Mark task 999 as complete")
    )
    workflows = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "workflow"
    ]
    assert len(workflows) == 1
    [task] = workflows[0]["workflow"]["tasks"]
    assert task["status_indicator"] == "none"
    assert task["icon"] == FAILED_TOOL_ICON
    assert "999 not found" in task["content"]
