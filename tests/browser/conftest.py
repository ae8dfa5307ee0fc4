"""Browser-test fixtures: the real stack (three services on PostgreSQL + the built frontend) and
Debian's Chromium driven by Playwright.

The services here verify Better Auth's tokens, so they need the frontend's JWKS URL: the frontend's
port is chosen first, and these fixtures override the cross-service ones from tests/conftest.py.
"""

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy.engine import make_url

from todo_testing.frontend import (
    CHROMIUM,
    CHROMIUM_ARGS,
    build_frontend,
    client_address,
    start_frontend,
)
from todo_testing.postgres import CreateDatabase, free_port
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "browser"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# Generous deadlines, not expectations: the first agent turn imports a lot on 2 shared cores.
UI_DEADLINE_MS = 45_000
PASSWORD = "correct horse battery"  # test accounts only


def _start(module: str, name: str, env: dict[str, str]) -> ServiceProcess:
    ARTIFACTS.mkdir(exist_ok=True)
    base = {"APP_ENV": "test", "AUTH_JWT_SECRET": TEST_JWT_SECRET, "LOG_LEVEL": "INFO"}
    return ServiceProcess(module, {**base, **env}, ARTIFACTS / f"browser-{name}.log").start()


@pytest.fixture(scope="session")
def frontend_port() -> int:
    """Chosen before anything starts: the services must know where the JWKS will be."""
    return free_port()


@pytest.fixture(scope="session")
def jwks_env(frontend_port: int) -> dict[str, str]:
    """Services accept Better Auth's tokens, fetched lazily from the frontend's JWKS."""
    return {"AUTH_JWKS_URL": f"http://127.0.0.1:{frontend_port}/api/auth/jwks"}


@pytest.fixture(scope="session")
def history_server(
    create_database: CreateDatabase, jwks_env: dict[str, str]
) -> Iterator[ServiceProcess]:
    """history-service on PostgreSQL, trusting the frontend's keys."""
    server = _start(
        "history_service.main", "history-service", {"DATABASE_URL": create_database(), **jwks_env}
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mcp_server(
    create_database: CreateDatabase, jwks_env: dict[str, str]
) -> Iterator[ServiceProcess]:
    """mcp-server on PostgreSQL, trusting the frontend's keys."""
    server = _start("todo_mcp.main", "mcp-server", {"DATABASE_URL": create_database(), **jwks_env})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gateway_server(
    history_server: ServiceProcess, mcp_server: ServiceProcess, jwks_env: dict[str, str]
) -> Iterator[ServiceProcess]:
    """agent-gateway with the offline model, trusting the frontend's keys."""
    env = {
        "HISTORY_SERVICE_URL": history_server.url,
        "MCP_SERVER_URL": f"{mcp_server.url}/mcp",
        "MODEL_PROVIDER": "offline",
        **jwks_env,
    }
    server = _start("agent_gateway.main", "agent-gateway", env)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def frontend_env(
    create_database: CreateDatabase,
    history_server: ServiceProcess,
    mcp_server: ServiceProcess,
    gateway_server: ServiceProcess,
) -> dict[str, str]:
    """Where the frontend finds the services, and Better Auth's own fresh PostgreSQL database."""
    auth_db = make_url(create_database()).set(drivername="postgresql")
    return {
        "AUTH_DATABASE_URL": auth_db.render_as_string(hide_password=False),
        "GATEWAY_URL": gateway_server.url,
        "HISTORY_SERVICE_URL": history_server.url,
        "TASKS_API_URL": mcp_server.url,
    }


@pytest.fixture(scope="session")
def frontend(frontend_port: int, frontend_env: dict[str, str]) -> Iterator[ServiceProcess]:
    """The production build, serving the port the services' AUTH_JWKS_URL names."""
    build_frontend()
    app = start_frontend(frontend_port, frontend_env, ARTIFACTS / "browser-frontend.log")
    yield app
    app.stop()


@pytest.fixture
def frontend_with_chatkit_key(
    frontend: ServiceProcess, frontend_env: dict[str, str]
) -> Iterator[ServiceProcess]:
    """A second instance configured for OpenAI's ChatKit component. It shares the first one's
    auth database, hence its signing keys, so the services accept its tokens too."""
    app = start_frontend(
        free_port(),
        {**frontend_env, "CHATKIT_DOMAIN_KEY": "domain_pk_browser_test"},
        ARTIFACTS / "browser-frontend-chatkit-key.log",
    )
    yield app
    app.stop()


# Module scope, not session: the sync API keeps an event loop running in this thread while it is
# started, which would break every asyncio test collected after the browser tests.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver (no browser download: Debian's Chromium is used)."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `scripts/bootstrap.sh browser` (make test does)")
    instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    expect.set_options(timeout=UI_DEADLINE_MS)
    yield instance
    instance.close()


@pytest.fixture
def time_zone() -> str | None:
    """The browser's IANA zone (None: the machine's); a module overrides it to live elsewhere."""
    return None


@pytest.fixture
def context(
    browser: Browser, frontend: ServiceProcess, time_zone: str | None
) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) per test, at desktop size, from its own client IP."""
    ctx = browser.new_context(
        base_url=frontend.url,
        viewport=DESKTOP,
        timezone_id=time_zone,
        extra_http_headers={"X-Forwarded-For": client_address()},
    )
    ctx.set_default_timeout(UI_DEADLINE_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab; on failure its last state is saved as a screenshot."""
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_screenshot(tab, f"FAILED-{request.node.name}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]  # Playwright locators, untyped in these helpers
    """Keep each phase's report on the item, so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/browser/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """`screenshot("step-name")` saves the page as a test artifact."""
    return lambda name: save_screenshot(page, name)


class TodoApp:
    """What a person does in the app, in words a test reads well."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def sign_up(self, name: str = "Test User") -> str:
        """Create a new account (unique email) and land on the chat page; returns the email."""
        email = f"user-{uuid.uuid4().hex[:12]}@example.com"
        self.page.goto("/sign-up")
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign up").click()
        self.page.wait_for_url(re.compile(r"/(\?.*)?$"))
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()
        return email

    def sign_in(self, email: str) -> None:
        """Sign in to an account made by `sign_up`."""
        self.page.goto("/sign-in")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()

    def sign_out(self) -> None:
        """Sign out and land on the sign-in page."""
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url("**/sign-in")

    @property
    def composer(self):  # type: ignore[no-untyped-def]  # Playwright locators, untyped in these helpers
        """The message box."""
        return self.page.get_by_label("Message", exact=True)

    def send(self, text: str) -> None:
        """Type a message and send it."""
        self.composer.fill(text)
        self.page.get_by_role("button", name="Send", exact=True).click()

    def wait_for_reply(self, count: int = 1) -> None:
        """Wait until `count` assistant replies are shown and the composer is usable again."""
        expect(self.page.get_by_test_id("assistant-message")).to_have_count(count)
        expect(self.page.get_by_test_id("typing-indicator")).to_have_count(0)
        expect(self.composer).to_be_enabled()

    @property
    def conversations(self):  # type: ignore[no-untyped-def]  # Playwright locators, untyped in these helpers
        """The rows of the sidebar."""
        return self.page.get_by_test_id("conversation")

    @property
    def task_titles(self):  # type: ignore[no-untyped-def]  # Playwright locators, untyped in these helpers
        """The titles in the task panel."""
        return self.page.get_by_test_id("task-title")


@pytest.fixture
def app(page: Page) -> TodoApp:
    """The app in a fresh browser profile."""
    return TodoApp(page)


@pytest.fixture
def app_in() -> Callable[[Page], TodoApp]:
    """`app_in(page)`: the same helpers for a page of another context."""
    return TodoApp
