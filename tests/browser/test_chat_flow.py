"""The product in a real browser against the real stack: sign up, chat, tasks, conversations,
sign out, and a second user who sees none of the first one's data."""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

from todo_testing.postgres import wait_for

# The first test also builds the frontend when the build is stale (about two minutes on 2 cores).
pytestmark = pytest.mark.timeout(900)


def _chatkit_stream(page: Page, action: Callable[[], None]) -> Response:
    """Run `action` and return the streamed /chatkit response of the turn it started."""

    def is_turn(response: Response) -> bool:
        body = response.request.post_data or ""
        return response.url.endswith("/chatkit") and (
            '"threads.create"' in body or '"threads.add_user_message"' in body
        )

    with page.expect_response(is_turn) as info:
        action()
    return info.value


def _sse_events(body: str) -> list[dict[str, Any]]:
    return [
        json.loads(line[len("data: ") :]) for line in body.splitlines() if line.startswith("data: ")
    ]


def test_a_user_chats_manages_conversations_and_a_second_user_sees_nothing(
    app: Any, page: Page, screenshot: Callable[[str], Path]
) -> None:
    alice = app.sign_up("Alice")
    expect(page.get_by_text("No conversations yet.")).to_be_visible()
    screenshot("01-signed-up")

    # The reply streams in over SSE through the same-origin proxy, and the task shows up.
    response = _chatkit_stream(page, lambda: app.send("Add a task to buy groceries"))
    expect(page.get_by_test_id("user-message")).to_have_text("Add a task to buy groceries")
    app.wait_for_reply()
    assert response.headers["content-type"].startswith("text/event-stream")
    # Compression would buffer the stream: the proxy marks it no-transform, so it is sent as is.
    assert "content-encoding" not in response.headers
    assert "no-transform" in response.headers["cache-control"]
    events = _sse_events(response.text())
    deltas = [
        event
        for event in events
        if event["type"] == "thread.item.updated"
        and event["update"]["type"] == "assistant_message.content_part.text_delta"
    ]
    assert len(deltas) > 1, "the reply arrived in one piece instead of streaming"
    reply = page.get_by_test_id("assistant-message")
    expect(reply).to_contain_text(re.compile("groceries", re.IGNORECASE))
    expect(page.get_by_test_id("tool-call").first).to_contain_text("add_task")
    expect(app.task_titles).to_have_text(["Buy groceries"])
    expect(app.conversations).to_have_count(1)
    expect(app.conversations.first.get_by_test_id("conversation-title")).to_have_text(
        "Add a task to buy groceries"
    )
    thread_id = app.conversations.first.get_attribute("data-conversation-id")
    assert thread_id
    screenshot("02-first-reply")

    # A reload keeps the session, the open conversation and its messages.
    page.reload()
    expect(page.get_by_test_id("user-message")).to_have_text("Add a task to buy groceries")
    expect(page.get_by_test_id("assistant-message")).to_contain_text(
        re.compile("groceries", re.IGNORECASE)
    )
    expect(page.get_by_test_id("tool-call").first).to_contain_text("add_task")
    expect(app.task_titles).to_have_text(["Buy groceries"])
    screenshot("03-after-reload")

    # A new conversation, renamed, found by search, then deleted after confirming.
    page.get_by_role("button", name="+ New conversation").click()
    expect(page.get_by_test_id("user-message")).to_have_count(0)
    app.send("Show me all my tasks")
    app.wait_for_reply()
    expect(page.get_by_test_id("assistant-message")).to_contain_text("Buy groceries")
    expect(app.conversations).to_have_count(2)
    newest = app.conversations.first
    expect(newest.get_by_test_id("conversation-title")).to_have_text("Show me all my tasks")
    expect(newest).to_have_attribute("aria-current", "true")

    newest.get_by_role("button", name="Rename Show me all my tasks").click()
    title_field = page.get_by_label("Conversation title")
    title_field.fill("Weekly planning")
    title_field.press("Enter")
    expect(app.conversations.first.get_by_test_id("conversation-title")).to_have_text(
        "Weekly planning"
    )
    page.get_by_label("Search conversations").fill("weekly")
    expect(app.conversations).to_have_count(1)
    expect(app.conversations.first.get_by_test_id("conversation-title")).to_have_text(
        "Weekly planning"
    )
    screenshot("04-renamed-and-searched")
    page.get_by_label("Search conversations").fill("")
    expect(app.conversations).to_have_count(2)

    app.conversations.first.get_by_role("button", name="Delete Weekly planning").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Weekly planning")
    dialog.get_by_role("button", name="Cancel").click()
    expect(app.conversations).to_have_count(2)
    app.conversations.first.get_by_role("button", name="Delete Weekly planning").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(app.conversations).to_have_count(1)
    expect(app.conversations.first.get_by_test_id("conversation-title")).to_have_text(
        "Add a task to buy groceries"
    )
    screenshot("05-deleted")

    # Signed out means signed out: the chat page sends you back to sign in.
    app.sign_out()
    page.goto("/")
    page.wait_for_url("**/sign-in")

    # Another user sees none of Alice's conversations, messages or tasks — not even by link.
    app.sign_up("Bob")
    expect(page.get_by_text("No conversations yet.")).to_be_visible()
    expect(page.get_by_text("No tasks yet. Ask the assistant to add one.")).to_be_visible()
    expect(app.task_titles).to_have_count(0)
    page.goto(f"/?c={thread_id}")
    expect(page.get_by_test_id("chat-error")).to_contain_text(
        re.compile("(does not|no longer) exist", re.IGNORECASE)
    )
    expect(page.get_by_test_id("user-message")).to_have_count(0)
    expect(page.get_by_text("groceries", exact=False)).to_have_count(0)
    assert page.request.get("/api/conversations").json()["items"] == []
    assert page.request.get("/api/tasks").json()["tasks"] == []
    screenshot("06-second-user")

    # Alice signs back in and finds everything where she left it.
    app.sign_out()
    app.sign_in(alice)
    expect(app.conversations).to_have_count(1)
    expect(app.conversations.first.get_by_test_id("conversation-title")).to_have_text(
        "Add a task to buy groceries"
    )
    expect(app.task_titles).to_have_text(["Buy groceries"])


def test_tasks_can_be_ticked_edited_and_deleted_by_hand(
    app: Any, page: Page, screenshot: Callable[[str], Path]
) -> None:
    app.sign_up()
    app.send("Add a task to pay bills")
    app.wait_for_reply()
    task = page.get_by_test_id("task").filter(has_text="Pay bills")
    expect(task).to_have_attribute("data-completed", "false")

    task.get_by_role("checkbox").check()
    expect(task).to_have_attribute("data-completed", "true")

    task.get_by_role("button", name="Edit “Pay bills”").click()
    field = page.get_by_label("Task title")
    field.fill("Pay the electricity bill")
    field.press("Enter")
    expect(app.task_titles).to_have_text(["Pay the electricity bill"])
    screenshot("07-task-edited")

    # What the panel shows is what the server stored.
    page.reload()
    edited = page.get_by_test_id("task").filter(has_text="Pay the electricity bill")
    expect(edited).to_have_attribute("data-completed", "true")

    edited.get_by_role("button", name="Delete “Pay the electricity bill”").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(app.task_titles).to_have_count(0)
    wait_for(lambda: page.request.get("/api/tasks").json()["tasks"] == [], what="task deleted")

    # The assistant sees the same list the panel edits.
    app.send("Show me all my tasks")
    app.wait_for_reply(2)
    expect(page.get_by_test_id("assistant-message").last).not_to_contain_text("electricity")


def test_the_limit_of_10000_characters_is_shown_before_sending(app: Any, page: Page) -> None:
    app.sign_up()
    app.composer.fill("x" * 10_000)
    expect(page.get_by_test_id("message-length")).to_contain_text("10,000 / 10,000")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
    app.composer.fill("x" * 10_001)
    expect(page.get_by_test_id("message-length")).to_contain_text("Too long by 1 character —")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    expect(app.composer).to_have_attribute("aria-invalid", "true")


def test_a_failed_request_shows_an_error_and_retry_sends_it_again(
    app: Any, page: Page, screenshot: Callable[[str], Path]
) -> None:
    app.sign_up()
    # The connection drops on the first attempt only (the one thing faked: the network).
    dropped: list[str] = []

    def drop_once(route: Any) -> None:
        if not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/chatkit", drop_once)
    app.send("Add a task to water the plants")
    error = page.get_by_test_id("chat-error")
    expect(error).to_contain_text("Could not reach the assistant")
    screenshot("08-error")
    error.get_by_role("button", name="Retry").click()
    app.wait_for_reply()
    expect(page.get_by_test_id("chat-error")).to_have_count(0)
    expect(app.task_titles).to_have_text(["Water the plants"])
    expect(page.get_by_test_id("user-message")).to_have_count(1)
    assert len(dropped) == 1
