"""`make up`: run every service of the product locally, print the URL, stop them all on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from todo_common.settings import DEV_JWT_SECRET

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
FRONTEND_URL = "http://127.0.0.1:3000"


@dataclass
class Service:
    """One process of the local stack."""

    name: str
    command: list[str]
    port: int
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    health_path: str = "/healthz"


def services() -> list[Service]:
    """The local stack: SQLite files under .data/, the offline model, everything on 127.0.0.1."""
    common = {
        "APP_ENV": "development",
        "HOST": "127.0.0.1",
        # The web app's tokens (Better Auth, verified with its published keys) and the terminal
        # client's (signed with the development secret) are both accepted.
        "AUTH_JWKS_URL": f"{FRONTEND_URL}/api/auth/jwks",
        "AUTH_JWT_SECRET": DEV_JWT_SECRET,
    }
    stack = [
        Service(
            "history-service",
            [sys.executable, "-m", "history_service.main"],
            8001,
            {**common, "DATABASE_URL": f"sqlite+aiosqlite:///{DATA / 'history.db'}"},
        ),
        Service(
            "mcp-server",
            [sys.executable, "-m", "todo_mcp.main"],
            8002,
            {**common, "DATABASE_URL": f"sqlite+aiosqlite:///{DATA / 'tasks.db'}"},
        ),
        Service(
            "agent-gateway",
            [sys.executable, "-m", "agent_gateway.main"],
            8000,
            {
                **common,
                "HISTORY_SERVICE_URL": "http://127.0.0.1:8001",
                "MCP_SERVER_URL": "http://127.0.0.1:8002/mcp",
                "MODEL_PROVIDER": "offline",
            },
        ),
    ]
    stack.append(frontend())
    return stack


def frontend() -> Service:
    """The Next.js app (built by `scripts/bootstrap.sh frontend_build`), started last."""
    return Service(
        "frontend",
        ["npm", "run", "--silent", "start"],
        3000,
        {
            "APP_ENV": "development",
            "BETTER_AUTH_URL": FRONTEND_URL,
            "AUTH_DATABASE_URL": str(DATA / "auth.db"),
            "GATEWAY_URL": "http://127.0.0.1:8000",
            "HISTORY_SERVICE_URL": "http://127.0.0.1:8001",
            "TASKS_API_URL": "http://127.0.0.1:8002",
        },
        cwd=ROOT / "frontend",
    )


def wait_healthy(service: Service, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Block until the service answers its health check, or exit if it died."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{service.port}{service.health_path}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{service.name} exited with code {process.returncode}")
        try:
            if httpx2.get(url, timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit(f"{service.name} did not become healthy at {url}")


def main() -> None:
    """Start everything, then wait for Ctrl-C or for a service to die."""
    DATA.mkdir(exist_ok=True)
    running: list[tuple[Service, subprocess.Popen[bytes]]] = []

    def stop_all(*_: object) -> None:
        for _service, process in reversed(running):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _service, process in running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    for service in services():
        env = {**os.environ, **service.env, "PORT": str(service.port)}
        process = subprocess.Popen(
            service.command, cwd=service.cwd, env=env, start_new_session=True
        )
        running.append((service, process))
        wait_healthy(service, process)
        print(f"  {service.name:<16} http://127.0.0.1:{service.port}", flush=True)
    print(f"\nTodo Assistant is running: open {FRONTEND_URL} — Ctrl-C stops it.", flush=True)
    while all(process.poll() is None for _service, process in running):
        time.sleep(0.5)
    stop_all()


if __name__ == "__main__":
    main()
