"""The conversation list's paging and search, and which chat renderer is used when."""

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx2
import jwt
import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from todo_testing.processes import ServiceProcess

pytestmark = pytest.mark.timeout(900)

CHATKIT_CDN = "https://cdn.platform.openai.com/**"


def test_more_conversations_load_on_scroll_and_search_finds_by_title(
    app: Any, page: Page, history_server: ServiceProcess, screenshot: Callable[[str], Path]
) -> None:
    app.sign_up()
    # The token the app mints for this session is accepted by history-service itself.
    token = page.request.get("/api/auth/token").json()["token"]
    user_id = jwt.decode(token, options={"verify_signature": False})["sub"]
    headers = {"Authorization": f"Bearer {token}"}
    for number in range(25):
        created = httpx2.post(
            f"{history_server.url}/api/{user_id}/conversations",
            json={"title": f"Project {number:02d}"},
            headers=headers,
        )
        assert created.status_code == 201, created.text

    page.reload()
    titles = page.get_by_test_id("conversation-title")
    expect(titles).to_have_count(20)
    expect(titles.first).to_have_text("Project 24")

    page.get_by_test_id("conversation-list").evaluate("list => list.scrollTo(0, list.scrollHeight)")
    expect(titles).to_have_count(25)
    expect(titles.last).to_have_text("Project 00")
    screenshot("09-scrolled-conversations")

    page.get_by_label("Search conversations").fill("Project 07")
    expect(titles).to_have_text(["Project 07"])


def test_without_a_domain_key_every_request_stays_on_this_server(app: Any, page: Page) -> None:
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(_origin(request)))
    app.sign_up()
    app.send("Add a task to call the plumber")
    app.wait_for_reply()
    expect(page.get_by_test_id("chat-panel")).to_have_attribute("data-renderer", "protocol")
    assert origins == {_origin_of(page.url)}


def test_with_a_domain_key_but_no_internet_our_renderer_takes_over(
    browser: Browser,
    frontend_with_chatkit_key: Any,
    app_in: Callable[[Page], Any],
) -> None:
    context = browser.new_context(base_url=frontend_with_chatkit_key.url)
    script_requests: list[str] = []

    def offline(route: Route) -> None:
        script_requests.append(route.request.url)
        route.abort("internetdisconnected")

    context.route(CHATKIT_CDN, offline)
    try:
        page = context.new_page()
        app = app_in(page)
        app.sign_up()
        expect(page.get_by_test_id("chat-panel")).to_have_attribute("data-renderer", "protocol")
        assert any(url.endswith("/chatkit.js") for url in script_requests)
        app.send("Add a task to renew the passport")
        app.wait_for_reply()
        expect(app.task_titles).to_have_text(["Renew the passport"])
    finally:
        context.close()


def _origin(request: Request) -> str:
    return _origin_of(request.url)


def _origin_of(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"
