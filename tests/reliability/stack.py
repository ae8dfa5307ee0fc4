"""A private stack per test module: history-service, mcp-server and a gateway as real processes on
their own PostgreSQL databases, each free to be SIGKILLed and restarted on the same port, with
controllable proxies between the gateway and the other two."""

import asyncio
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.conftest import ARTIFACTS, BASE_ENV, GENEROUS_TURN_LIMITS
from tests.reliability.proxy import HttpProxy
from todo_testing.postgres import CreateDatabase
from todo_testing.processes import ServiceProcess

DOWNTIME_SECONDS = 2.0


class Service(ServiceProcess):
    """A service process that can also die the hard way."""

    def kill(self) -> None:
        """SIGKILL the whole process group (no shutdown, no flushing) and reap it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    @property
    def running(self) -> bool:
        """Whether the process is alive (not whether it is healthy)."""
        return self.process is not None and self.process.poll() is None

    async def crash_and_restart(self, downtime: float = DOWNTIME_SECONDS) -> None:
        """SIGKILL, stay down for `downtime` seconds, start again on the same port."""
        self.kill()
        await asyncio.sleep(downtime)
        await asyncio.to_thread(self.start)


@dataclass
class Stack:
    """The three services; with proxies, the gateway reaches the other two only through them."""

    history: Service
    mcp: Service
    gateway: Service
    history_proxy: HttpProxy | None = None
    mcp_proxy: HttpProxy | None = None

    @property
    def services(self) -> tuple[Service, Service, Service]:
        """Every process, in start order."""
        return (self.history, self.mcp, self.gateway)

    def ensure_running(self) -> None:
        """Start whatever a previous test left dead, and forget its holds."""
        for proxy in (self.history_proxy, self.mcp_proxy):
            if proxy is not None:
                proxy.reset()
        for service in self.services:
            if not service.running:
                service.start()


def _service(module: str, name: str, env: dict[str, str]) -> Service:
    ARTIFACTS.mkdir(exist_ok=True)
    return Service(module, {**BASE_ENV, **env}, ARTIFACTS / f"{name}.log")


@contextmanager
def running_stack(
    create_database: CreateDatabase, name: str, *, proxied: bool = True, log_level: str = "INFO"
) -> Iterator[Stack]:
    """Start a private stack (logs in test-artifacts/<name>-*.log); stop everything afterwards."""
    common = {"LOG_LEVEL": log_level}
    history = _service(
        "history_service.main",
        f"{name}-history",
        {**common, "DATABASE_URL": create_database()},
    )
    mcp = _service("todo_mcp.main", f"{name}-mcp", {**common, "DATABASE_URL": create_database()})
    proxies: list[HttpProxy] = []
    started: list[Service] = []
    try:
        for service in (history, mcp):
            started.append(service.start())
        history_url, mcp_url = history.url, mcp.url
        if proxied:
            proxies = [
                HttpProxy(history.url, f"{name}-history-proxy").start(),
                HttpProxy(mcp.url, f"{name}-mcp-proxy").start(),
            ]
            history_url, mcp_url = proxies[0].url, proxies[1].url
        env = {
            "HISTORY_SERVICE_URL": history_url,
            "MCP_SERVER_URL": f"{mcp_url}/mcp",
            "MODEL_PROVIDER": "offline",
            # This suite is about crashes, not the per-user turn limits (tested on their own).
            **GENEROUS_TURN_LIMITS,
            **common,
        }
        gateway = _service("agent_gateway.main", f"{name}-gateway", env)
        started.append(gateway.start())
        yield Stack(history, mcp, gateway, *proxies)
    finally:
        for proxy in proxies:
            proxy.stop()
        for service in reversed(started):
            service.stop()
