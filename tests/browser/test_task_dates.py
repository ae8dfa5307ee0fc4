"""The task panel's dates in a browser living in Pacific/Auckland: due moments shown in local time,
overdue marked in words, and the editor storing the instant and rule the user picked."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from todo_testing.frontend import client_address
from todo_testing.processes import ServiceProcess

ZONE = "Pacific/Auckland"


@pytest.fixture
def context(browser: Browser, frontend: ServiceProcess) -> Iterator[BrowserContext]:
    """conftest's profile, with the browser's clock in Auckland."""
    ctx = browser.new_context(
        base_url=frontend.url,
        viewport={"width": 1280, "height": 800},
        timezone_id=ZONE,
        extra_http_headers={"X-Forwarded-For": client_address()},
    )
    ctx.set_default_timeout(45_000)
    yield ctx
    ctx.close()


def _add_task(page: Page, **fields: Any) -> dict[str, Any]:
    """POST /api/tasks as the signed-in user, from the app's own origin."""
    origin = page.evaluate("location.origin")
    response = page.request.post("/api/tasks", data=fields, headers={"Origin": origin})
    assert response.status == 201, response.text()
    task: dict[str, Any] = response.json()
    return task


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
