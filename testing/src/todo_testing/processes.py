"""Real service processes for tests that cross process boundaries."""

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx2

from todo_testing.postgres import free_port, wait_for


def _healthy(url: str) -> bool:
    try:
        return httpx2.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx2.HTTPError:
        return False


class ServiceProcess:
    """`python -m <module>` (or another `command`) on a free port, in its own process group;
    started, health-checked, stopped and restartable."""

    def __init__(
        self,
        module: str,
        env: Mapping[str, str],
        log_path: Path,
        port: int | None = None,
        *,
        command: Sequence[str] | None = None,
        cwd: Path | None = None,
        base_env: Mapping[str, str] | None = None,
    ) -> None:
        self.module = module
        self.port = port or free_port()
        base = os.environ if base_env is None else base_env
        self.env = {**base, **env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.command = list(command) if command else [sys.executable, "-m", module]
        self.cwd = cwd
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the running service."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "ServiceProcess":
        """Start the process and wait until /healthz answers."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.module} exited; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}"
                )
            return _healthy(self.url)

        try:
            wait_for(ready, timeout=timeout, what=f"{self.module} on {self.url}")
        except BaseException:
            self.stop()  # never leave a half-started process (and its children) behind
            raise
        return self

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self) -> "ServiceProcess":
        """Stop and start again on the same port."""
        self.stop()
        return self.start()

    def logs(self) -> str:
        """Everything the process wrote so far."""
        return self.log_path.read_text(errors="replace")
