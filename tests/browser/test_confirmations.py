"""Issue 17 in a real browser living in America/Los_Angeles, through the chat with the offline model:
a weekly reminder said in words shows in local time and brings next week's when ticked off, and
"delete all completed tasks" waits for the confirm/cancel card (Cancel changes nothing, Confirm
deletes them; the card survives a reload until it is answered)."""

import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, Response, Route, expect

# The first test also builds the frontend when the build is stale (about two minutes on 2 cores).
pytestmark = pytest.mark.timeout(900)

ZONE = "America/Los_Angeles"
NOTHING_CHANGED = re.compile("nothing was changed", re.IGNORECASE)


@pytest.fixture
def time_zone() -> str:
    """The browser's clock is in Los Angeles."""
    return ZONE


def _add_task(page: Page, title: str, *, done: bool = False) -> int:
    """A task made through the app's own REST proxy, ticked off when `done`; returns its id."""
    origin = page.evaluate("location.origin")
    created = page.request.post("/api/tasks", data={"title": title}, headers={"Origin": origin})
    assert created.status == 201, created.text()
    task_id: int = created.json()["id"]
    if done:
        toggled = page.request.patch(f"/api/tasks/{task_id}/complete", headers={"Origin": origin})
        assert toggled.ok, toggled.text()
    return task_id


def _stored_titles(page: Page) -> dict[str, bool]:
    """Every stored task's title and whether it is done, as the task service has them."""
    response = page.request.get("/api/tasks")
    assert response.ok, response.text()
    tasks: list[dict[str, Any]] = response.json()["tasks"]
    return {task["title"]: task["completed"] for task in tasks}


def _two_done_one_open(page: Page) -> None:
    _add_task(page, "Pay the gas bill", done=True)
    _add_task(page, "Return the library books", done=True)
    _add_task(page, "Call the plumber")
    page.reload()


def _card(page: Page) -> Locator:
    return page.get_by_role("group", name="Confirmation")


def _button(card: Locator, label: str) -> Locator:
    return card.get_by_role("button", name=label, exact=True)


def _is_request(*kinds: str) -> Any:
    def matches(response: Response) -> bool:
        body = response.request.post_data or ""
        return response.url.endswith("/chatkit") and any(f'"{kind}"' in body for kind in kinds)

    return matches


def _sse_events(response: Response) -> list[dict[str, Any]]:
    lines = response.text().splitlines()
    return [json.loads(line[len("data: ") :]) for line in lines if line.startswith("data: ")]


def _ask_to_delete_completed(app: Any, page: Page, replies: int) -> tuple[str, str]:
    """Say "delete all completed tasks" and wait for the card; returns the ids of the question
    message and of the card, as the turn's stream gave them."""
    with page.expect_response(_is_request("threads.create", "threads.add_user_message")) as turn:
        app.send("delete all completed tasks")
    expect(_card(page)).to_be_visible()
    app.wait_for_reply(replies)
    items = [
        event["item"] for event in _sse_events(turn.value) if event["type"] == "thread.item.done"
    ]
    [widget] = [item for item in items if item["type"] == "widget"]
    [question] = [item for item in items if item["type"] == "assistant_message"]
    return question["id"], widget["id"]


def _first_monday_8am(now: datetime) -> datetime:
    """The first Monday 8:00 at or after `now`, the offline model's first occurrence."""
    start = now.replace(hour=8, minute=0, second=0, microsecond=0)
    candidate = start + timedelta(days=(0 - start.weekday()) % 7)
    return (
        candidate
        if candidate >= now.replace(second=0, microsecond=0)
        else candidate + timedelta(weeks=1)
    )


def _shows_due(row: Locator, moment: datetime) -> None:
    due = row.get_by_test_id("task-due")
    expect(due).to_contain_text(f"{moment:%a}, {moment:%b} {moment.day}")
    expect(due).to_contain_text("8:00 AM")
    expect(due.locator("time")).to_have_attribute(
        "datetime", re.compile(rf"^{moment:%Y-%m-%d}T08:00")
    )


def test_a_weekly_reminder_from_the_chat_shows_in_local_time_and_repeats(
    app: Any, page: Page
) -> None:
    app.sign_up()
    first = _first_monday_8am(datetime.now(ZoneInfo(ZONE)))
    app.send("remind me to water the plants every Monday at 8am")
    app.wait_for_reply()

    row = page.get_by_test_id("task").filter(has_text="Water the plants")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("task-title")).to_have_text("Water the plants")
    _shows_due(row, first)
    expect(row.get_by_test_id("task-recurrence")).to_contain_text("every Monday")

    # Ticked off in the panel: this one is done and the Monday after is open.
    row.get_by_role("checkbox").check()
    open_rows = page.locator('[data-testid="task"][data-completed="false"]')
    following = open_rows.filter(has_text="Water the plants")
    expect(following).to_have_count(1)
    _shows_due(following, first + timedelta(weeks=1))
    expect(following.get_by_test_id("task-recurrence")).to_contain_text("every Monday")
    expect(page.locator('[data-testid="task"][data-completed="true"]')).to_have_count(1)


def test_delete_all_completed_waits_for_the_card_cancel_keeps_confirm_deletes(
    app: Any, page: Page, screenshot: Callable[[str], Path]
) -> None:
    app.sign_up()
    _two_done_one_open(page)
    expect(app.task_titles).to_have_count(3)

    question_id, widget_id = _ask_to_delete_completed(app, page, replies=1)
    card = _card(page)
    expect(_button(card, "Confirm")).to_be_enabled()
    expect(_button(card, "Cancel")).to_be_enabled()
    screenshot("confirm-01-card")
    # Nothing runs before the answer.
    assert _stored_titles(page) == {
        "Pay the gas bill": True,
        "Return the library books": True,
        "Call the plumber": False,
    }

    # Cancel: the card goes, the question is answered in place, every task stays.
    with page.expect_response(_is_request("threads.custom_action")) as decided:
        _button(card, "Cancel").click()
    expect(card).to_have_count(0)
    expect(page.get_by_test_id("assistant-message")).to_have_count(1)
    expect(page.get_by_test_id("assistant-message")).to_contain_text(NOTHING_CHANGED)
    request = json.loads(decided.value.request.post_data or "")
    assert request["type"] == "threads.custom_action"
    assert request["params"]["item_id"] == widget_id
    assert request["params"]["action"]["type"] == "approval.decide"
    assert request["params"]["action"]["payload"]["decision"] == "reject"
    events = _sse_events(decided.value)
    assert {"type": "thread.item.removed", "item_id": widget_id} in [
        {key: event.get(key) for key in ("type", "item_id")} for event in events
    ]
    answers = [
        event["item"]
        for event in events
        if event["type"] == "thread.item.done" and event["item"]["type"] == "assistant_message"
    ]
    assert [answer["id"] for answer in answers] == [question_id]
    expect(app.task_titles).to_have_count(3)
    assert len(_stored_titles(page)) == 3
    screenshot("confirm-02-cancelled")

    # Asked again and confirmed: while the decision is on its way both buttons wait.
    _, widget_id = _ask_to_delete_completed(app, page, replies=2)
    held: list[Route] = []

    def hold_the_decision(route: Route) -> None:
        if '"threads.custom_action"' in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/chatkit", hold_the_decision)
    _button(card, "Confirm").click()
    expect(_button(card, "Confirm")).to_be_disabled()
    expect(_button(card, "Cancel")).to_be_disabled()
    deadline = time.monotonic() + 30
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # the route's handler runs while Playwright waits
    assert len(held) == 1
    request = json.loads(held[0].request.post_data or "")
    assert request["params"]["item_id"] == widget_id
    assert request["params"]["action"]["payload"]["decision"] == "approve"
    held[0].continue_()
    page.unroute("**/chatkit")

    expect(card).to_have_count(0)
    expect(app.task_titles).to_have_text(["Call the plumber"])
    assert _stored_titles(page) == {"Call the plumber": False}
    expect(page.get_by_test_id("chat-error")).to_have_count(0)
    screenshot("confirm-03-confirmed")

    # The answered card is gone for good.
    page.reload()
    expect(page.get_by_test_id("user-message")).to_have_count(2)
    expect(page.get_by_test_id("assistant-message")).to_have_count(2)
    expect(_card(page)).to_have_count(0)
    screenshot("confirm-04-reloaded")


def test_a_pending_card_survives_a_reload_and_still_confirms(app: Any, page: Page) -> None:
    app.sign_up()
    _two_done_one_open(page)
    _ask_to_delete_completed(app, page, replies=1)

    page.reload()
    card = _card(page)
    expect(card).to_be_visible()
    expect(_button(card, "Cancel")).to_be_enabled()
    _button(card, "Confirm").click()

    expect(card).to_have_count(0)
    expect(app.task_titles).to_have_text(["Call the plumber"])
    assert _stored_titles(page) == {"Call the plumber": False}
