"""The frontend's browser-facing protections, tried against the real `next start` build and the real
services behind it: security headers on every page, same-origin JSON only on state-changing routes,
request bodies bounded before they are buffered, and the auth API's limits per IP and per email."""

import itertools
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from todo_testing.postgres import free_port
from todo_testing.processes import ServiceProcess

pytestmark = pytest.mark.timeout(600)

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
PASSWORD = "correct horse battery"  # test accounts only
CHATKIT_ORIGIN = "https://cdn.platform.openai.com"
MAX_BODY = 1024 * 1024  # MAX_REQUEST_BODY_BYTES' default
# The auth limits' defaults (AUTH_RATE_LIMIT_MAX_PER_EMAIL, AUTH_RATE_LIMIT_MAX_PER_IP).
MAX_PER_EMAIL = 5
MAX_PER_IP = 10

_addresses = itertools.count(1)


def _client_ip() -> str:
    """A client address no other test uses (the browser fixtures use 10.x.x.x)."""
    n = next(_addresses)
    return f"172.16.{n >> 8 & 255}.{n & 255}"


def _email() -> str:
    return f"sec-{uuid.uuid4().hex[:12]}@example.com"


def _client(frontend: ServiceProcess, ip: str | None = None) -> httpx2.Client:
    """A same-origin caller as the browser would be, from its own client IP (as a proxy sets it)."""
    headers = {"Origin": frontend.url, "X-Forwarded-For": ip or _client_ip()}
    return httpx2.Client(base_url=frontend.url, headers=headers, timeout=60)


@pytest.fixture
def signed_in(frontend: ServiceProcess) -> Iterator[httpx2.Client]:
    """A client holding the session cookie of a fresh account."""
    with _client(frontend) as client:
        answer = client.post(
            "/api/auth/sign-up/email", json={"email": _email(), "password": PASSWORD, "name": "S"}
        )
        assert answer.status_code == 200, answer.text
        yield client


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def _assert_problem(answer: httpx2.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == status


# --- security headers -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/sign-in", "/sign-up"])
def test_pages_carry_a_nonce_csp_and_the_other_security_headers(
    frontend: ServiceProcess, path: str
) -> None:
    with _client(frontend) as client:
        answer = client.get(path, follow_redirects=True)
    assert answer.status_code == 200  # `/` streams its redirect to /sign-in
    csp = _directives(answer.headers["content-security-policy"])
    nonce = next(s for s in csp["script-src"] if s.startswith("'nonce-"))[len("'nonce-") : -1]
    assert csp["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert CHATKIT_ORIGIN not in answer.headers["content-security-policy"]
    # Next.js put the nonce on every script of the page, inline or not.
    scripts = re.findall(r"<script\b[^>]*>", answer.text)
    assert scripts
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in answer.headers  # APP_ENV=test: no HTTPS here


def test_every_page_view_gets_a_new_nonce(frontend: ServiceProcess) -> None:
    with _client(frontend) as client:
        policies = {client.get("/sign-in").headers["content-security-policy"] for _ in range(3)}
    assert len(policies) == 3


def test_api_answers_are_not_sniffed_either(frontend: ServiceProcess) -> None:
    with _client(frontend) as client:
        answer = client.get("/healthz")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_chatkit_origin_is_allowed_only_with_a_domain_key(
    frontend_with_chatkit_key: ServiceProcess,
) -> None:
    with _client(frontend_with_chatkit_key) as client:
        answer = client.get("/sign-in")
    csp = _directives(answer.headers["content-security-policy"])
    assert CHATKIT_ORIGIN in csp["script-src"]
    assert csp["frame-src"] == [CHATKIT_ORIGIN]
    assert "'unsafe-inline'" not in csp["script-src"]


def test_the_app_runs_under_its_csp(page: Page) -> None:
    """Hydration needs every script the page loads: signing up (a client-side form) proves it ran,
    and the browser reports no CSP violation."""
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    page.goto("/sign-up")
    page.get_by_label("Name").fill("Csp")
    page.get_by_label("Email").fill(_email())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert violations == []


# --- same origin, JSON only -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/chatkit"),
        ("POST", "/api/tasks"),
        ("PATCH", "/api/tasks/1"),
        ("DELETE", "/api/tasks/1"),
    ],
)
def test_a_cross_origin_request_is_refused(
    signed_in: httpx2.Client, method: str, path: str
) -> None:
    """Even with the victim's session cookie, as a forged cross-site request would carry it."""
    answer = signed_in.request(
        method,
        path,
        json={"type": "threads.list", "params": {}},
        headers={"Origin": "https://evil.example"},
    )
    _assert_problem(answer, 403)


def test_without_origin_only_a_same_origin_fetch_is_accepted(signed_in: httpx2.Client) -> None:
    del signed_in.headers["Origin"]
    cross = signed_in.post(
        "/api/tasks", json={"title": "x"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    _assert_problem(cross, 403)
    _assert_problem(signed_in.post("/api/tasks", json={"title": "x"}), 403)
    same = signed_in.post(
        "/api/tasks", json={"title": "Same origin"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 201, same.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_refused(signed_in: httpx2.Client, content_type: str) -> None:
    body = '{"type": "threads.list", "params": {}}'
    answer = signed_in.post("/chatkit", content=body, headers={"Content-Type": content_type})
    _assert_problem(answer, 415)


def test_a_same_origin_json_request_goes_through(signed_in: httpx2.Client) -> None:
    answer = signed_in.post("/chatkit", json={"type": "threads.list", "params": {"limit": 5}})
    assert answer.status_code == 200, answer.text
    assert "data" in answer.json()


# --- body size --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/chatkit", "/api/tasks", "/api/auth/sign-in/email"])
def test_a_declared_oversized_body_is_refused(signed_in: httpx2.Client, path: str) -> None:
    body = b'{"title": "' + b"x" * MAX_BODY + b'"}'
    answer = signed_in.post(path, content=body, headers={"Content-Type": "application/json"})
    _assert_problem(answer, 413)


def test_a_streamed_oversized_body_is_cut_off_at_the_limit(signed_in: httpx2.Client) -> None:
    """No Content-Length (chunked): the relay counts the bytes and gives up at the limit."""
    chunk = b"x" * 65536

    def chunks() -> Iterator[bytes]:
        yield b'{"type": "threads.create", "params": {"input": "'
        for _ in range(MAX_BODY // len(chunk) + 2):
            yield chunk
        yield b'"}}'

    answer = signed_in.post(
        "/chatkit", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _assert_problem(answer, 413)


# --- auth rate limits -------------------------------------------------------------------------


def _sign_in(
    frontend: ServiceProcess, email: str, ip: str, password: str = "wrong password!"
) -> int:
    with _client(frontend, ip) as client:
        return client.post(
            "/api/auth/sign-in/email", json={"email": email, "password": password}
        ).status_code


def test_sign_in_is_limited_per_email_across_ips(frontend: ServiceProcess) -> None:
    email = _email()
    for _ in range(MAX_PER_EMAIL):
        assert _sign_in(frontend, email, _client_ip()) == 401
    assert _sign_in(frontend, email, _client_ip()) == 429


def test_sign_in_is_limited_per_ip_across_emails(frontend: ServiceProcess) -> None:
    ip = _client_ip()
    for _ in range(MAX_PER_IP):
        assert _sign_in(frontend, _email(), ip) == 401
    assert _sign_in(frontend, _email(), ip) == 429


def test_others_still_sign_in_while_an_ip_and_an_email_are_limited(
    frontend: ServiceProcess,
) -> None:
    attacker, victim = _client_ip(), _email()
    for _ in range(MAX_PER_IP + 1):
        _sign_in(frontend, victim, attacker)
    assert _sign_in(frontend, victim, attacker) == 429

    email, ip = _email(), _client_ip()
    with _client(frontend, ip) as client:
        created = client.post(
            "/api/auth/sign-up/email", json={"email": email, "password": PASSWORD, "name": "O"}
        )
        assert created.status_code == 200, created.text
    assert _sign_in(frontend, email, ip, PASSWORD) == 200


# --- fail closed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"APP_ENV": "production"}, "BETTER_AUTH_SECRET"),
        ({"APP_ENV": "production", "BETTER_AUTH_SECRET": "too-short"}, "BETTER_AUTH_SECRET"),
        ({}, "BETTER_AUTH_SECRET"),  # `next start` without APP_ENV: no public default either
        ({"APP_ENV": "test", "MAX_REQUEST_BODY_BYTES": "0"}, "MAX_REQUEST_BODY_BYTES"),
    ],
)
def test_the_server_refuses_to_start_with_an_unsafe_configuration(
    frontend: ServiceProcess, tmp_path: Path, env: dict[str, str], named: str
) -> None:
    """`frontend` only makes sure the build exists; this server never serves a request."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEXT_PUBLIC_", "CHATKIT_", "BETTER_AUTH_", "AUTH_", "APP_ENV"))
    }
    port = str(free_port())
    started = subprocess.run(
        [str(FRONTEND / "node_modules" / ".bin" / "next"), "start", "-H", "127.0.0.1", "-p", port],
        cwd=FRONTEND,
        env={**base, "AUTH_DATABASE_URL": str(tmp_path / "auth.db"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert f"Cannot start: {named}" in started.stdout + started.stderr
