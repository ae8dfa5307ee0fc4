"""`make up`: run every service of the product locally, print the URL, stop them all on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"


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
    common = {"APP_ENV": "development", "HOST": "127.0.0.1"}
    return [
        Service(
            "history-service",
            [sys.executable, "-m", "history_service.main"],
            8001,
            {**common, "DATABASE_URL": f"sqlite+aiosqlite:///{DATA / 'history.db'}"},
        ),
    ]


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
    print("\nTodo Assistant is running. Press Ctrl-C to stop.", flush=True)
    while all(process.poll() is None for _service, process in running):
        time.sleep(0.5)
    stop_all()


if __name__ == "__main__":
    main()
