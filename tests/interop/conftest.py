"""The real stack MCP clients sign in to: the built frontend as the OAuth authorization server, and
mcp-server as the resource server at its real URL, each on PostgreSQL; Chromium plays the user.

Both ports are chosen before anything starts: mcp-server must know the JWKS and issuer URL, the
frontend the resource URL its tokens are issued for.
"""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy.engine import make_url

from tests.interop.oauth_clients import CLIENTS, OAuthMcpClient
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

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
UI_DEADLINE_MS = 45_000
PASSWORD = "correct horse battery"  # test accounts only
CALLBACK = re.compile(r"^http://127\.0\.0\.1:\d+/callback\?")


@dataclass(frozen=True)
class OAuthStack:
    """The authorization server (frontend) and the resource server (mcp-server), running."""

    frontend: ServiceProcess
    mcp: ServiceProcess

    @property
    def issuer(self) -> str:
        """The frontend's URL: the issuer of every token, first-party and OAuth."""
        return self.frontend.url

    @property
    def mcp_url(self) -> str:
        """The MCP endpoint, and the resource its tokens must be issued for."""
        return f"{self.mcp.url}/mcp"


@pytest.fixture(scope="session")
def oauth_stack(create_database: CreateDatabase) -> Iterator[OAuthStack]:
    """One stack for the session: mcp-server first (it fetches the JWKS lazily), then the frontend."""
    build_frontend()
    frontend_port, mcp_port = free_port(), free_port()
    issuer, resource = f"http://127.0.0.1:{frontend_port}", f"http://127.0.0.1:{mcp_port}/mcp"
    mcp = ServiceProcess(
        "todo_mcp.main",
        {
            "APP_ENV": "test",
            "LOG_LEVEL": "INFO",
            "DATABASE_URL": create_database(),
            "AUTH_JWKS_URL": f"{issuer}/api/auth/jwks",
            "AUTH_ISSUER": issuer,
            # Only for the refusal tests' hand-made tokens (HS256 is refused in production).
            "AUTH_JWT_SECRET": TEST_JWT_SECRET,
            "MCP_RESOURCE_URL": resource,
            "MCP_AUTHORIZATION_SERVER": issuer,
        },
        ARTIFACTS / "interop-mcp-server.log",
        mcp_port,
    ).start()
    auth_db = make_url(create_database()).set(drivername="postgresql")
    try:
        frontend = start_frontend(
            frontend_port,
            {
                "AUTH_DATABASE_URL": auth_db.render_as_string(hide_password=False),
                "TASKS_API_URL": mcp.url,
                "MCP_RESOURCE_URL": resource,
            },
            ARTIFACTS / "interop-frontend.log",
        )
    except BaseException:
        mcp.stop()
        raise
    yield OAuthStack(frontend, mcp)
    frontend.stop()
    mcp.stop()


# Module scope, not session: the sync API keeps an event loop running in this thread while it is
# started, which would break every asyncio test collected after these.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `scripts/bootstrap.sh browser` (make test does)")
    with sync_playwright() as driver:
        instance = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        expect.set_options(timeout=UI_DEADLINE_MS)
        yield instance
        instance.close()


class User:
    """A person with an account, in a browser profile of their own (own cookies, own client IP)."""

    def __init__(self, context: BrowserContext, stack: OAuthStack) -> None:
        self.context = context
        self.stack = stack
        self.page: Page = context.new_page()
        self.email = f"oauth-{uuid.uuid4().hex[:12]}@example.com"
        self.page.goto("/sign-up")
        self.page.get_by_label("Name").fill("OAuth User")
        self.page.get_by_label("Email").fill(self.email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign up").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()

    def first_party_token(self) -> str:
        """The web app's own token for this user (what the gateway forwards)."""
        response = self.context.request.get("/api/auth/token")
        assert response.ok, response.text()
        return str(response.json()["token"])

    @property
    def id(self) -> str:
        """The user id every token for this user carries as `sub`."""
        return str(jwt.decode(self.first_party_token(), options={"verify_signature": False})["sub"])

    def tasks(self) -> list[dict[str, object]]:
        """This user's tasks through mcp-server's REST API, with the first-party token."""
        response = httpx2.get(
            f"{self.stack.mcp.url}/api/{self.id}/tasks",
            headers={"Authorization": f"Bearer {self.first_party_token()}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return list(response.json()["tasks"])

    def sign_out(self) -> None:
        """Sign out (the next authorization then starts at the sign-in page)."""
        self.page.goto("/")
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url("**/sign-in**")

    def approve(self, authorization_url: str, client_name: str, *, sign_in: bool = False) -> None:
        """Open the client's authorization URL (signing in first when `sign_in`), check the consent
        page names the client and what it asks for, allow it, and land on the client's redirect."""
        self.page.goto(authorization_url)
        if sign_in:
            self.page.wait_for_url("**/sign-in**")
            self.page.get_by_label("Email").fill(self.email)
            self.page.get_by_label("Password").fill(PASSWORD)
            self.page.get_by_role("button", name="Sign in").click()
        heading = self.page.get_by_role("heading", level=1)
        expect(heading).to_have_text(f"{client_name} wants to use your account")
        asked = self.page.get_by_role("list", name="Requested permissions").get_by_role("listitem")
        expect(asked.filter(has_text="See your tasks")).to_have_count(1)
        expect(asked.filter(has_text="Add, change, complete and delete your tasks")).to_have_count(
            1
        )
        self.page.get_by_role("button", name="Allow").click()
        self.page.wait_for_url(CALLBACK)
        expect(self.page.get_by_text("Signed in")).to_be_visible()

    def revoke_in_settings(self, client_name: str) -> None:
        """The settings page: the client is listed; revoke it; it is gone."""
        self.page.goto("/settings/connections")
        row = self.page.get_by_role("list", name="Connected apps").get_by_role(
            "listitem", name=client_name, exact=True
        )
        expect(row).to_have_count(1)
        row.get_by_role("button", name=f"Revoke {client_name}").click()
        expect(row).to_have_count(0)


@pytest.fixture
def new_user(browser: Browser, oauth_stack: OAuthStack) -> Iterator[Callable[[], User]]:
    """`new_user()`: a freshly signed-up user in a fresh browser profile."""
    contexts: list[BrowserContext] = []

    def make() -> User:
        context = browser.new_context(
            base_url=oauth_stack.frontend.url,
            extra_http_headers={"X-Forwarded-For": client_address()},
        )
        context.set_default_timeout(UI_DEADLINE_MS)
        contexts.append(context)
        return User(context, oauth_stack)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(params=sorted(CLIENTS))
def start_client(
    request: pytest.FixtureRequest, oauth_stack: OAuthStack
) -> Iterator[Callable[..., OAuthMcpClient]]:
    """`start_client(client_name, registration=None)`: the TypeScript or the Python SDK's client,
    given only the MCP URL (and a registration to reuse instead of registering)."""
    started: list[OAuthMcpClient] = []

    def start(client_name: str, registration: dict[str, Any] | None = None) -> OAuthMcpClient:
        client = CLIENTS[request.param](oauth_stack.mcp_url, client_name, registration)
        started.append(client)
        return client

    yield start
    for client in started:
        client.close()


def unique_client_name(kind: str) -> str:
    """A client name no other registration has, so the settings page and consent show ours."""
    return f"Interop {kind} {uuid.uuid4().hex[:6]}"
