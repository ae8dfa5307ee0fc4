"""The task panel's dates in a browser living in Pacific/Auckland: due moments shown in local time,
overdue marked in words, and the editor storing the instant and rule the user picked."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from todo_testing.postgres import wait_for

ZONE = "Pacific/Auckland"


@pytest.fixture
def time_zone() -> str:
    """The browser's clock is in Auckland."""
    return ZONE


def _add_task(page: Page, **fields: Any) -> dict[str, Any]:
    """POST /api/tasks as the signed-in user, from the app's own origin."""
    origin = page.evaluate("location.origin")
    response = page.request.post("/api/tasks", data=fields, headers={"Origin": origin})
    assert response.status == 201, response.text()
    task: dict[str, Any] = response.json()
    return task


def _stored(page: Page, task_id: int) -> dict[str, Any]:
    response = page.request.get(f"/api/tasks/{task_id}")
    assert response.ok, response.text()
    task: dict[str, Any] = response.json()
    return task


def _utc(local: str) -> datetime:
    """An Auckland wall-clock time as the UTC instant it is."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(ZONE)).astimezone(ZoneInfo("UTC"))


def test_the_panel_shows_due_moments_in_local_time_and_marks_overdue(app: Any, page: Page) -> None:
    app.sign_up()
    # 20:00 UTC on Jul 6 is 8:00 the next morning in Auckland (NZST, +12).
    _add_task(page, title="Call the bank", due_date="2031-07-06T20:00:00Z")
    _add_task(page, title="File the old report", due_date="2020-01-01T00:00:00Z")
    page.reload()

    bank = page.get_by_test_id("task").filter(has_text="Call the bank")
    expect(bank.get_by_test_id("task-due")).to_contain_text("Mon, Jul 7, 2031, 8:00 AM")
    expect(bank).to_have_attribute("data-overdue", "false")
    expect(bank.get_by_text("Overdue")).to_have_count(0)

    report = page.get_by_test_id("task").filter(has_text="File the old report")
    expect(report).to_have_attribute("data-overdue", "true")
    expect(report.get_by_test_id("task-due")).to_contain_text("Overdue")


def test_the_browser_zone_reaches_the_task_service(app: Any, page: Page) -> None:
    app.sign_up()
    # A naive date-time is the user's local time: the zone comes from the tz cookie, not the body.
    task = _add_task(page, title="Morning run", due_date="2031-07-07T08:00:00")
    stored = _stored(page, task["id"])
    assert datetime.fromisoformat(stored["due_date"]) == _utc("2031-07-07T08:00")
    assert stored["time_zone"] == ZONE


def _edit(page: Page, title: str) -> None:
    page.get_by_test_id("task").filter(has_text=title).get_by_role(
        "button", name=f"Edit “{title}”"
    ).click()


def test_editing_the_due_time_priority_and_tags_stores_the_instant(app: Any, page: Page) -> None:
    app.sign_up()
    task = _add_task(page, title="Water the plants")
    page.reload()
    row = page.get_by_test_id("task").filter(has_text="Water the plants")

    _edit(page, "Water the plants")
    # 17:30 in Auckland's summer (NZDT, +13).
    page.get_by_label("Due date and time").fill("2031-12-08T17:30")
    page.get_by_label("Priority").select_option(label="High priority")
    page.get_by_label("Tags").fill("home, garden")
    page.get_by_role("button", name="Save").click()

    expect(row.get_by_test_id("task-due")).to_contain_text("Mon, Dec 8, 2031, 5:30 PM")
    stored = _stored(page, task["id"])
    assert datetime.fromisoformat(stored["due_date"]) == _utc("2031-12-08T17:30")
    assert stored["due_has_time"] is True
    assert stored["time_zone"] == ZONE
    assert stored["priority"] == "high"
    assert stored["tags"] == ["home", "garden"]

    # An all-day date: the date alone, whatever the zone.
    _edit(page, "Water the plants")
    page.get_by_label("All day").check()
    page.get_by_label("Due date", exact=True).fill("2031-12-15")
    page.get_by_role("button", name="Save").click()

    expect(row.get_by_test_id("task-due")).to_contain_text("Mon, Dec 15, 2031")
    expect(row.get_by_test_id("task-due")).not_to_contain_text("AM")
    stored = _stored(page, task["id"])
    assert stored["due_has_time"] is False
    assert stored["due_local"] == "2031-12-15"


def test_a_repeat_set_in_the_panel_is_stored_and_completing_shows_the_next(
    app: Any, page: Page
) -> None:
    app.sign_up()
    task = _add_task(page, title="Water the plants", due_date="2031-12-08T08:00:00")
    page.reload()
    row = page.locator(f'[data-task-id="{task["id"]}"]')

    # Dec 8 2031 is a Monday.
    _edit(page, "Water the plants")
    page.get_by_label("Repeat").select_option(label="Every week on Monday")
    page.get_by_role("button", name="Save").click()

    expect(row.get_by_test_id("task-recurrence")).to_contain_text("every Monday")
    assert _stored(page, task["id"])["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"

    # Ticking it off brings next Monday's, at the same local time.
    row.get_by_role("checkbox").check()
    wait_for(lambda: _stored(page, task["id"])["next_task_id"] is not None, what="next task")
    next_id = _stored(page, task["id"])["next_task_id"]
    following = page.locator(f'[data-task-id="{next_id}"]')
    expect(following.get_by_test_id("task-due")).to_contain_text("Mon, Dec 15, 2031, 8:00 AM")
    expect(following.get_by_test_id("task-recurrence")).to_contain_text("every Monday")
    assert datetime.fromisoformat(_stored(page, next_id)["due_date"]) == _utc("2031-12-15T08:00")

    # No repeat any more: the rule is cleared.
    following.get_by_role("button", name="Edit “Water the plants”").click()
    page.get_by_label("Repeat").select_option(label="Does not repeat")
    page.get_by_role("button", name="Save").click()
    expect(following.get_by_test_id("task-recurrence")).to_have_count(0)
    assert _stored(page, next_id)["recurrence"] is None
