"""The built frontend as a real process, and the Chromium the browser suites drive, for every suite
that needs a signed-in user (tests/browser, tests/interop)."""

import itertools
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from todo_testing.processes import ServiceProcess

ROOT = Path(__file__).resolve().parents[3]
FRONTEND = ROOT / "frontend"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build_frontend() -> None:
    """Build once; `frontend_build` skips the build when .next is newer than the sources."""
    if not (FRONTEND / "node_modules").is_dir():
        pytest.fail(
            "frontend/node_modules is missing: run `scripts/bootstrap.sh frontend` (make test does)"
        )
    subprocess.run([str(ROOT / "scripts" / "bootstrap.sh"), "frontend_build"], check=True, cwd=ROOT)


def start_frontend(port: int, env_overrides: Mapping[str, str], log_path: Path) -> ServiceProcess:
    """`next start` on `port` in its own process group, once /healthz answers."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("NEXT_PUBLIC_", "CHATKIT_", "BETTER_AUTH_", "AUTH_", "MCP_", "OAUTH_")
        )
    }
    overrides = dict(
        APP_ENV="test",
        NODE_ENV="production",
        NEXT_TELEMETRY_DISABLED="1",
        BETTER_AUTH_URL=f"http://127.0.0.1:{port}",
        BETTER_AUTH_SECRET="browser-test-secret-0123456789-abcdefghijklmnop",
        # The auth rate limits stay on: each browser context comes from its own client address
        # (the X-Forwarded-For header `client_address` gives, as a proxy would set it).
        **env_overrides,
    )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    app = ServiceProcess(
        "frontend",
        overrides,
        log_path,
        port,
        command=[
            str(FRONTEND / "node_modules" / ".bin" / "next"),
            "start",
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=FRONTEND,
        base_env=env,
    )
    return app.start(timeout=120)


_client_addresses = itertools.count(1)


def client_address() -> str:
    """A client IP no other caller in this process uses, so the per-IP auth limits count each
    browser context on its own."""
    n = next(_client_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
