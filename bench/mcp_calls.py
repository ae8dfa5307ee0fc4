"""Benchmark: MCP tool-call round trips against one todo-mcp process on PostgreSQL (loopback).

Each client is a different user with its own token; calls alternate `list_tasks` (default page of
up to 50) and `add_task`. Two phases per client kind:
  latency     one client, sequential calls          -> p50/p95/p99
  throughput  --clients concurrent clients, --calls -> calls/s, and the latency under that load
Client kinds:
  sdk  the official `mcp` Client (ClientSession over Streamable HTTP), what agents use
  raw  JSON-RPC `tools/call` POSTs on a keep-alive connection: the same bytes on the wire, without
       the SDK's client-side cost (the load generator shares the 2 cores with the server)
Targets (README, "Benchmarks"): p50 <= 5 ms, >= 300 calls/s.

    uv run python bench/mcp_calls.py [--clients 8] [--calls 3000] [--kind both|sdk|raw]
"""

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import fresh_database
from stats import print_table, summarize, write_results

from todo_testing.postgres import postgres_server
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

Call = Callable[[str, dict[str, Any]], Awaitable[None]]
SEED_TASKS = 20
PROTOCOL_VERSION = "2025-06-18"


@contextlib.asynccontextmanager
async def sdk_client(url: str, user: str) -> AsyncIterator[Call]:
    """A tool caller backed by the official MCP client."""
    async with (
        httpx2.AsyncClient(headers=auth_header(user), timeout=30) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
    ):

        async def call(name: str, arguments: dict[str, Any]) -> None:
            result = await client.call_tool(name, arguments)
            assert not result.is_error, result.content

        yield call


@contextlib.asynccontextmanager
async def raw_client(url: str, user: str) -> AsyncIterator[Call]:
    """A tool caller that POSTs JSON-RPC itself (the server is stateless: no session to open)."""
    headers = {
        **auth_header(user),
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": PROTOCOL_VERSION,
    }
    async with httpx2.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        request_id = 0

        async def call(name: str, arguments: dict[str, Any]) -> None:
            nonlocal request_id
            request_id += 1
            body = {
                "jsonrpc": "2.0",
                "id": request_id,
                "method": "tools/call",
                "params": {"name": name, "arguments": arguments},
            }
            response = await http.post("/mcp", json=body)
            response.raise_for_status()
            assert not response.json()["result"]["isError"], response.text

        yield call


CLIENTS = {"sdk": sdk_client, "raw": raw_client}


def next_call(i: int) -> tuple[str, dict[str, Any]]:
    """Half list_tasks, half add_task."""
    return ("list_tasks", {}) if i % 2 == 0 else ("add_task", {"title": f"bench task {i}"})


async def run_client(call: Call, calls: int) -> list[float]:
    """`calls` sequential tool calls; each round trip in seconds."""
    latencies = []
    for i in range(calls):
        name, arguments = next_call(i)
        started = time.perf_counter()
        await call(name, arguments)
        latencies.append(time.perf_counter() - started)
    return latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: the server's cost, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def phase(kind: str, server: ServiceProcess, users: list[str], calls: int) -> dict[str, Any]:
    """`calls` tool calls spread over one client per user, all at once."""
    url, pid = server.url, server.process.pid  # type: ignore[union-attr]  # started above, so the process exists
    async with contextlib.AsyncExitStack() as stack:
        callers = [await stack.enter_async_context(CLIENTS[kind](url, user)) for user in users]
        for caller in callers:  # warm the connection, the pool and the caches
            await run_client(caller, 20)
        share = calls // len(callers)
        started, cpu_before = time.perf_counter(), cpu_seconds(pid)
        results = await asyncio.gather(*(run_client(caller, share) for caller in callers))
        wall, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    latencies = [latency for result in results for latency in result]
    return {
        "client": kind,
        "concurrent_clients": len(users),
        **summarize(latencies),
        "calls_per_s": round(len(latencies) / wall, 1),
        "server_cpu_ms_per_call": round(cpu / len(latencies) * 1000, 2),
    }


async def seed(url: str, users: list[str]) -> None:
    """A few tasks per user, so list_tasks returns a realistic page from the start."""
    for user in users:
        async with raw_client(url, user) as call:
            for i in range(SEED_TASKS):
                await call("add_task", {"title": f"seeded task {i}", "tags": ["bench"]})


async def measure(
    server: ServiceProcess, kinds: list[str], clients: int, calls: int
) -> list[dict[str, Any]]:
    """The latency and throughput phases for each client kind."""
    rows = []
    for kind in kinds:
        users = [f"bench-{kind}-{n}" for n in range(clients)]
        await seed(server.url, users)
        latency = await phase(kind, server, users[:1], min(calls, 1000))
        rows.append({"phase": "latency", **latency})
        rows.append({"phase": "throughput", **await phase(kind, server, users, calls)})
    return rows


def report(rows: list[dict[str, Any]], load: tuple[float, float]) -> None:
    """Print the table and the verdict, write the JSON."""
    print_table("MCP tool calls, one todo-mcp process, PostgreSQL, loopback", rows)
    best_p50 = min(r["p50_ms"] for r in rows if r["phase"] == "latency")
    best_rate = max(r["calls_per_s"] for r in rows if r["phase"] == "throughput")
    met = best_p50 <= 5 and best_rate >= 300
    print(f"\ntarget p50 <= 5 ms and >= 300 calls/s: {'met' if met else 'MISSED'}")
    print(f"  best sequential p50 {best_p50} ms, best throughput {best_rate} calls/s")
    print(
        f"  machine: {os.cpu_count()} cores, 1-min load average {load[0]} before, {load[1]} after"
    )
    write_results(
        "mcp_calls",
        {
            "target": {"p50_ms": 5, "calls_per_s": 300},
            "target_met": met,
            "cpu_count": os.cpu_count(),
            "load_average_1min": {"before": load[0], "after": load[1]},
            "results": rows,
            "when": datetime.now(UTC),
        },
    )


def main() -> None:
    """Start PostgreSQL and one server process, measure, report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--calls", type=int, default=3000, help="timed calls per phase")
    parser.add_argument("--kind", choices=["both", *CLIENTS], default="both")
    args = parser.parse_args()
    kinds = list(CLIENTS) if args.kind == "both" else [args.kind]
    load_before = round(os.getloadavg()[0], 2)
    with postgres_server() as admin_url, tempfile.TemporaryDirectory() as logs:
        env = {
            "DATABASE_URL": fresh_database(admin_url, "bench_mcp"),
            "AUTH_JWT_SECRET": TEST_JWT_SECRET,
            "APP_ENV": "test",
            "LOG_LEVEL": "WARNING",
        }
        server = ServiceProcess("todo_mcp.main", env, Path(logs) / "mcp.log").start()
        try:
            rows = asyncio.run(measure(server, kinds, args.clients, args.calls))
        finally:
            server.stop()
    report(rows, (load_before, round(os.getloadavg()[0], 2)))


if __name__ == "__main__":
    main()
