"""Benchmark: the newest 100 messages of a conversation, through history-service and through raw asyncpg.

Seeds PostgreSQL with one conversation of 100 messages and one of 100,000, then times
`GET /api/{user}/conversations/{id}/messages?order=desc&limit=100` against the running service
(sequentially, one request at a time) and the same keyset query straight through asyncpg as the
floor. Target: p95 <= 15 ms, flat from 100 to 100,000 messages.

    uv run python bench/history_load.py [--requests 1000]
"""

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx2
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import fresh_database
from stats import print_table, summarize, write_results

from todo_testing.postgres import postgres_server
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

USER = "bench-user"
SIZES = [100, 100_000]
NEWEST_100 = (
    "SELECT id, role, content, tool_calls, metadata, created_at FROM messages "
    "WHERE conversation_id = $1 ORDER BY seq DESC LIMIT 101"
)


async def seed(dsn: str, base_url: str) -> None:
    """Create the conversations through the API, then bulk-load their messages with COPY."""
    async with httpx2.AsyncClient(base_url=base_url, headers=auth_header(USER)) as client:
        for size in SIZES:
            response = await client.post(
                f"/api/{USER}/conversations", json={"id": f"conv-{size}", "title": f"{size}"}
            )
            response.raise_for_status()
    connection = await asyncpg.connect(dsn)
    try:
        now = datetime.now(UTC)
        for size in SIZES:
            rows = (
                (
                    f"m{i}",
                    f"conv-{size}",
                    i + 1,
                    USER,
                    "user" if i % 2 == 0 else "assistant",
                    f"message number {i} " * 4,
                    now,
                )
                for i in range(size)
            )
            await connection.copy_records_to_table(
                "messages",
                records=rows,
                columns=[
                    "id",
                    "conversation_id",
                    "seq",
                    "user_id",
                    "role",
                    "content",
                    "created_at",
                ],
            )
            await connection.execute(
                "UPDATE conversations SET message_count = $2::int, last_seq = $2::bigint WHERE id = $1",
                f"conv-{size}",
                size,
            )
        await connection.execute("ANALYZE messages")
    finally:
        await connection.close()


async def through_service(base_url: str, size: int, requests: int) -> list[float]:
    """Sequential requests for the newest 100 messages; returns each latency in seconds."""
    path = f"/api/{USER}/conversations/conv-{size}/messages"
    latencies = []
    async with httpx2.AsyncClient(base_url=base_url, headers=auth_header(USER)) as client:
        for i in range(requests + 50):
            started = time.perf_counter()
            response = await client.get(path, params={"order": "desc", "limit": 100})
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            assert len(response.json()["items"]) == 100
            if i >= 50:  # the first 50 warm connections and caches
                latencies.append(elapsed)
    return latencies


async def through_asyncpg(dsn: str, size: int, requests: int) -> list[float]:
    """The same keyset query straight to PostgreSQL: the floor the service cannot beat."""
    connection = await asyncpg.connect(dsn)
    latencies = []
    try:
        statement = await connection.prepare(NEWEST_100)
        for i in range(requests + 50):
            started = time.perf_counter()
            rows = await statement.fetch(f"conv-{size}")
            elapsed = time.perf_counter() - started
            assert len(rows) == min(size, 101)
            if i >= 50:
                latencies.append(elapsed)
    finally:
        await connection.close()
    return latencies


async def measure(dsn: str, base_url: str, requests: int) -> list[dict[str, object]]:
    """Every size through both paths."""
    await seed(dsn, base_url)
    rows = []
    for size in SIZES:
        for path, run in [
            ("history-service", through_service(base_url, size, requests)),
            ("asyncpg floor", through_asyncpg(dsn, size, requests)),
        ]:
            rows.append({"messages_in_conversation": size, "path": path, **summarize(await run)})
    return rows


def main() -> None:
    """Start PostgreSQL and the service, seed, measure, report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests", type=int, default=1000, help="timed requests per size and path (>= 500)"
    )
    args = parser.parse_args()
    with postgres_server() as admin_url, tempfile.TemporaryDirectory() as logs:
        url = fresh_database(admin_url, "bench_history")
        env = {
            "DATABASE_URL": url,
            "AUTH_JWT_SECRET": TEST_JWT_SECRET,
            "APP_ENV": "test",
            "LOG_LEVEL": "WARNING",
        }
        server = ServiceProcess("history_service.main", env, Path(logs) / "history.log").start()
        try:
            dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            rows = asyncio.run(measure(dsn, server.url, args.requests))
        finally:
            server.stop()
    print_table("Newest 100 messages (sequential requests, PostgreSQL, loopback)", rows)
    worst = max(r["p95_ms"] for r in rows if r["path"] == "history-service")
    verdict = "met" if worst <= 15 else "MISSED"
    print(f"\ntarget p95 <= 15 ms through the service: {verdict} (worst p95 {worst} ms)")
    write_results(
        "history_load",
        {
            "target_p95_ms": 15,
            "target_met": worst <= 15,
            "results": rows,
            "when": datetime.now(UTC),
        },
    )


if __name__ == "__main__":
    main()
