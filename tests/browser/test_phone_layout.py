"""The app on a 375-px-wide phone: every panel fits, nothing scrolls sideways."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

# The first test also builds the frontend when the build is stale (about two minutes on 2 cores).
pytestmark = pytest.mark.timeout(900)

PHONE = {"width": 375, "height": 812}


def _horizontal_overflow(page: Page) -> int:
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"
    )


def test_every_panel_fits_a_phone_screen(
    app: Any, page: Page, screenshot: Callable[[str], Path]
) -> None:
    page.set_viewport_size(PHONE)
    app.sign_up()
    assert _horizontal_overflow(page) <= 0
    long_request = "Add a task to " + "reorganise the garage shelves " * 4
    app.send(long_request.strip())
    app.wait_for_reply()
    assert _horizontal_overflow(page) <= 0, "the chat scrolls sideways"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("phone-1-chat")

    # One panel at a time: the tabs switch between them.
    page.get_by_role("tab", name="Tasks").click()
    expect(page.get_by_test_id("task-panel")).to_be_visible()
    expect(page.get_by_test_id("chat-panel")).to_be_hidden()
    expect(page.get_by_test_id("task")).to_have_count(1)
    assert _horizontal_overflow(page) <= 0, "the task list scrolls sideways"
    screenshot("phone-2-tasks")

    page.get_by_role("tab", name="Chats").click()
    expect(page.get_by_test_id("conversation")).to_have_count(1)
    assert _horizontal_overflow(page) <= 0, "the conversation list scrolls sideways"
    screenshot("phone-3-conversations")

    # Picking a conversation takes you back to the chat.
    page.get_by_test_id("conversation").first.get_by_test_id("conversation-title").click()
    expect(page.get_by_test_id("chat-panel")).to_be_visible()
    expect(page.get_by_test_id("user-message")).to_have_count(1)
