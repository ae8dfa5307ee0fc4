"""Benchmark: chat turns through agent-gateway with history-service and mcp-server on PostgreSQL,
on both model paths: the offline model, and MODEL_PROVIDER=openai-compatible against a local
deterministic Chat Completions server (bench/fake_chat_completions.py, its own process).

Scenarios (all services local, one uvicorn process each, the load generator on the same machine):
  paced-50     50 conversations, each sending a turn every 2 s       target p95 <= 250 ms
  paced-500    500 conversations, each sending a turn every 10 s     target p95 <= 1 s
  saturation   64 conversations sending back to back                  turns/s reported
  overhead     one turn at a time in one 200-turn conversation; time per turn with the model's
               own time subtracted (the offline model is timed in-process; the fake server's
               time is not subtracted)                              target p50 <= 25 ms (offline)
  overhead-short  the same, over 50 new conversations of 4 turns each (short windows, few tasks)
Each scenario also reports the CPU each process spent over it, per turn (gateway, history-service,
mcp-server, PostgreSQL; the fake model server apart): what a turn costs the machine.
The two sequential scenarios run --overhead-runs times, interleaved; the run with the median p50
is reported, every run's p50 is kept. This machine's speed drifts by a quarter from one minute to
the next, so each run also times a fixed piece of Python ("calibration", ms): compare figures
taken at similar calibrations.
Every run also checks that each message sent (and its answer) is stored in history-service.
Writes bench/results/chat_load.json and bench/results/chat_load.png.

    uv run python bench/chat_load.py [--model both|offline|openai-compatible] [--duration 30]
        [--saturation 20] [--overhead-runs 3]
"""

import argparse
import asyncio
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpu import cpu_by_part, postgres_main_process
from databases import fresh_database
from stats import RESULTS, print_table, summarize, write_results

from agent_gateway.ids import assistant_message_id
from agent_gateway.models.offline import OfflineModel
from todo_testing.postgres import postgres_server
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, token_for

USERS = 50
OURS = ("gateway", "history", "mcp")
MESSAGES = ["Add a task to buy item {n}", "What's pending?", "Show me all my tasks", "hello"]
FAKE_MODEL = Path(__file__).with_name("fake_chat_completions.py")
PATHS = ("offline", "openai-compatible")


@dataclass
class Run:
    """What one scenario sent, how long each turn took, and what failed."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    elapsed: float = 0.0
    cpu_ms_per_turn: dict[str, float] = field(default_factory=dict)


class Conversation:
    """One user's conversation, sent over REST with a fresh message id per turn."""

    def __init__(
        self, client: aiohttp.ClientSession, user: str, token: str, run: Run, first: int
    ) -> None:
        self.client, self.user, self.run = client, user, run
        self.headers = {"Authorization": f"Bearer {token}"}
        self.conversation_id: str | None = None
        # Conversations start at different messages, so every scenario, however short, sends
        # the same mix (three tool turns in four) from its first second.
        self.turns = itertools.count(first)

    async def turn(self) -> None:
        n = next(self.turns)
        message_id = uuid.uuid4().hex
        body = {"message": MESSAGES[n % len(MESSAGES)].format(n=n), "message_id": message_id}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
        started = time.perf_counter()
        try:
            async with self.client.post(
                f"/api/{self.user}/chat", json=body, headers=self.headers
            ) as response:
                status, answer = response.status, await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.run.errors.append(type(exc).__name__)
            return
        if status != 200:
            self.run.errors.append(str(status))
            return
        self.run.latencies.append(time.perf_counter() - started)
        self.conversation_id = answer["conversation_id"]
        self.run.sent.setdefault((self.user, self.conversation_id), []).append(message_id)


def conversations(
    client: aiohttp.ClientSession, count: int, run: Run, tag: str = ""
) -> list[Conversation]:
    users = [f"bench-{run.name}{tag}-{i}" for i in range(USERS)]
    tokens = {user: token_for(user, ttl_seconds=7200) for user in users}
    return [
        Conversation(client, users[i % USERS], tokens[users[i % USERS]], run, i % len(MESSAGES))
        for i in range(count)
    ]


async def paced(
    client: aiohttp.ClientSession, count: int, every: float, duration: float, name: str
) -> Run:
    """`count` conversations, each sending a turn every `every` seconds (spread evenly)."""
    run = Run(name)
    deadline = time.perf_counter() + duration

    async def loop(conversation: Conversation, offset: float) -> None:
        await asyncio.sleep(offset)
        next_at = time.perf_counter()
        while next_at < deadline:
            await conversation.turn()
            next_at += every
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    started = time.perf_counter()
    convs = conversations(client, count, run)
    await asyncio.gather(*(loop(c, i * every / count) for i, c in enumerate(convs)))
    run.elapsed = time.perf_counter() - started
    return run


async def saturation(client: aiohttp.ClientSession, count: int, duration: float) -> Run:
    """`count` conversations sending back to back."""
    run = Run("saturation")
    deadline = time.perf_counter() + duration

    async def loop(conversation: Conversation) -> None:
        while time.perf_counter() < deadline:
            await conversation.turn()

    started = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in conversations(client, count, run)))
    run.elapsed = time.perf_counter() - started
    return run


def calibration_ms() -> float:
    """How long a fixed piece of pure Python takes here now (best of 5): the machine's speed."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(300_000))
        times.append(time.perf_counter() - started)
    return round(min(times) * 1000, 2)


async def overhead(
    client: aiohttp.ClientSession, name: str, count: int, turns: int, tag: str, offline: bool
) -> tuple[Run, list[float]]:
    """`count` conversations of `turns` turns, one turn at a time, and the offline model's own
    time on the same kind of input (none for the provider path: the fake server's is its own)."""
    run = Run(name)
    for conversation in conversations(client, count, run, tag):
        for _ in range(turns):
            await conversation.turn()
    if not offline:
        return run, [0.0]
    model, model_times = OfflineModel(), []
    tools = [type("Tool", (), {"name": name})() for name in ("add_task", "list_tasks")]
    for n in range(count * turns):
        started = time.perf_counter()
        model.next_output([{"role": "user", "content": MESSAGES[n % len(MESSAGES)]}], tools)
        model_times.append(time.perf_counter() - started)
    return run, model_times


SPLIT = {
    "history-service": "history_request_duration_seconds_sum",
    "mcp tools": "tool_call_duration_seconds_sum",
    "model": "model_call_duration_seconds_sum",
}
# Counts, not times: reported per turn as they are.
COUNTS = {"history requests": "history_request_duration_seconds_count"}


async def metric_sums(client: aiohttp.ClientSession) -> dict[str, float]:
    """The gateway's time totals so far, summed over labels (seconds)."""
    async with client.get("/metrics") as response:
        text = await response.text()
    sums = dict.fromkeys([*SPLIT, *COUNTS], 0.0)
    for line in text.splitlines():
        for part, metric in {**SPLIT, **COUNTS}.items():
            if line.startswith(metric + "{"):
                sums[part] += float(line.rsplit(" ", 1)[1])
    return sums


@dataclass
class Sequential:
    """One run of a sequential scenario: its turns, the model's own times, where time went."""

    run: Run
    model_times: list[float]
    split: dict[str, float]
    calibration_ms: float

    @property
    def overhead_p50(self) -> float:
        return summarize(self.run.latencies)["p50_ms"] - statistics.median(self.model_times) * 1000


async def split_of(
    client: aiohttp.ClientSession,
    name: str,
    count: int,
    turns: int,
    tag: str,
    groups: dict[str, int],
    offline: bool,
) -> Sequential:
    """`overhead`, plus where the gateway's turns spent their time (mean ms per turn)."""
    calibration = calibration_ms()
    before = await metric_sums(client)
    cpu_before = cpu_by_part(groups)
    run, model_times = await overhead(client, name, count, turns, tag, offline)
    set_cpu(run, groups, cpu_before)
    after = await metric_sums(client)
    done = len(run.latencies)
    split = {"turn": round(statistics.mean(run.latencies) * 1000, 2)}
    split |= {part: round((after[part] - before[part]) / done * 1000, 2) for part in SPLIT}
    split |= {part: round((after[part] - before[part]) / done, 2) for part in COUNTS}
    return Sequential(run, model_times, split, calibration)


def set_cpu(run: Run, groups: dict[str, int], before: dict[str, float]) -> None:
    """The CPU each process spent since `before`, per turn of `run` (ms)."""
    after = cpu_by_part(groups)
    turns = max(1, len(run.latencies))
    run.cpu_ms_per_turn = {
        part: round((after[part] - before[part]) * 1000 / turns, 2) for part in groups
    }


async def persisted(client: httpx2.AsyncClient, run: Run) -> tuple[int, int]:
    """(turns sent and answered, turns whose user message and answer are both stored)."""
    sent = stored = 0
    for (user, conversation_id), message_ids in run.sent.items():
        headers = {"Authorization": f"Bearer {token_for(user)}"}
        ids: set[str] = set()
        after = None
        while True:
            params = {"limit": 200, "order": "asc", **({"after": after} if after else {})}
            page = (
                await client.get(
                    f"/api/{user}/conversations/{conversation_id}/messages",
                    params=params,
                    headers=headers,
                )
            ).json()
            ids |= {m["id"] for m in page["items"]}
            if not page["has_more"]:
                break
            after = page["next_cursor"]
        sent += len(message_ids)
        stored += sum(1 for m in message_ids if m in ids and assistant_message_id(m) in ids)
    return sent, stored


def row(run: Run, sent: int, stored: int) -> dict[str, object]:
    stats = summarize(run.latencies) if len(run.latencies) > 1 else {}
    return {
        "scenario": run.name,
        "turns": len(run.latencies),
        "errors": len(run.errors),
        "turns_per_s": round(len(run.latencies) / run.elapsed, 1) if run.elapsed else "-",
        "p50_ms": stats.get("p50_ms"),
        "p95_ms": stats.get("p95_ms"),
        "p99_ms": stats.get("p99_ms"),
        "persisted": f"{stored}/{sent}",
        # CPU ms per turn: our three services together, then each process.
        "cpu_ours": round(sum(run.cpu_ms_per_turn.get(p, 0.0) for p in OURS), 2),
        **{f"cpu_{part}": ms for part, ms in run.cpu_ms_per_turn.items()},
    }


def plot(runs: list[Run], path_name: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 5))
    for run in runs:
        ordered = sorted(ms * 1000 for ms in run.latencies)
        if ordered:
            axis.plot(ordered, [i / len(ordered) for i in range(len(ordered))], label=run.name)
    axis.set_xscale("log")
    axis.set_xlabel("turn latency (ms, log scale)")
    axis.set_ylabel("fraction of turns")
    axis.set_title(f"Chat turn latency, {path_name} model, PostgreSQL, all services local")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    path = RESULTS / f"chat_load_{path_name}.png"
    RESULTS.mkdir(exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    return path


async def measured(groups: dict[str, int], scenario: Awaitable[Run]) -> Run:
    """`scenario`'s run, with the CPU each process spent on it."""
    before = cpu_by_part(groups)
    run = await scenario
    set_cpu(run, groups, before)
    return run


async def scenarios(
    base_url: str,
    history_url: str,
    groups: dict[str, int],
    path_name: str,
    args: argparse.Namespace,
) -> dict[str, object]:
    # aiohttp for the load: one connection per conversation, and a pool that costs the same with
    # 500 connections as with 5 (httpx checks every idle connection on every request).
    async with (
        aiohttp.ClientSession(
            base_url=base_url,
            timeout=aiohttp.ClientTimeout(total=60),
            connector=aiohttp.TCPConnector(limit=1000),
        ) as client,
        httpx2.AsyncClient(base_url=history_url, timeout=60) as history,
    ):
        await paced(client, 20, 1.0, 5, "warmup")
        runs = [
            await measured(groups, paced(client, 50, 2.0, args.duration, "paced-50")),
            await measured(groups, paced(client, 500, 10.0, args.duration, "paced-500")),
            await measured(groups, saturation(client, 64, args.saturation)),
        ]
        shapes = {"overhead": (1, args.overhead_turns), "overhead-short": (50, 4)}
        repeats: dict[str, list[Sequential]] = {name: [] for name in shapes}
        for repeat in range(args.overhead_runs):
            for name, (count, turns) in shapes.items():
                one = await split_of(
                    client, name, count, turns, f"-r{repeat}", groups, path_name == "offline"
                )
                repeats[name].append(one)
        medians = {
            name: sorted(candidates, key=lambda one: one.overhead_p50)[len(candidates) // 2]
            for name, candidates in repeats.items()
        }
        sequential = [one.run for one in medians.values()]
        rows = [row(run, *(await persisted(history, run))) for run in [*runs, *sequential]]
        # The runs not shown in the table must have stored everything too, without errors.
        incomplete = []
        for one in (one for candidates in repeats.values() for one in candidates):
            sent, stored = await persisted(history, one.run)
            if stored != sent or one.run.errors:
                incomplete.append(f"{one.run.name}: {stored}/{sent}, errors {one.run.errors}")
    print_table(f"Chat turns ({path_name} model, PostgreSQL, loopback, 2 cores shared)", rows)
    overhead_ms = {}
    for name, one in medians.items():
        model_p50 = statistics.median(one.model_times) * 1000
        turn_p50 = summarize(one.run.latencies)["p50_ms"]
        every_run = [
            {
                "gateway_p50": round(each.overhead_p50, 3),
                "calibration_ms": each.calibration_ms,
                "cpu_ms_per_turn": each.run.cpu_ms_per_turn,
            }
            for each in repeats[name]
        ]
        overhead_ms[name] = {
            "turn_p50": turn_p50,
            "model_p50": round(model_p50, 3),
            "gateway_p50": round(turn_p50 - model_p50, 3),
            "mean_ms_per_turn_by_part": one.split,
            "calibration_ms": one.calibration_ms,
            "runs": every_run,
        }
        print(
            f"{name}: turn p50 {turn_p50} ms - model p50 {model_p50:.3f} ms"
            f" = {turn_p50 - model_p50:.1f} ms (median of {len(every_run)} runs: {every_run});"
            f" mean per turn (ms): {one.split}"
        )
    if incomplete:
        print("INCOMPLETE SEQUENTIAL RUNS:", incomplete)
    return {
        "rows": rows,
        "overhead_ms": overhead_ms,
        "errors": {run.name: sorted(set(run.errors)) for run in [*runs, *sequential]},
        "incomplete_sequential_runs": incomplete,
        "plot": str(plot([*runs, *sequential], path_name)),
    }


def run_path(
    path_name: str, admin_url: str, logs: Path, args: argparse.Namespace
) -> dict[str, object]:
    """Every scenario on one model path, against fresh databases and fresh service processes."""
    urls = [fresh_database(admin_url, f"bench_{name}") for name in ("history", "tasks")]
    common = {"APP_ENV": "test", "AUTH_JWT_SECRET": TEST_JWT_SECRET, "LOG_LEVEL": "WARNING"}
    started: list[ServiceProcess] = []

    def start(module: str, env: dict[str, str], command: list[str] | None = None) -> ServiceProcess:
        log = logs / f"{path_name}-{module}.log"
        started.append(ServiceProcess(module, env, log, command=command).start())
        return started[-1]

    try:
        history = start("history_service.main", {**common, "DATABASE_URL": urls[0]})
        mcp = start("todo_mcp.main", {**common, "DATABASE_URL": urls[1]})
        gateway_env = {
            **common,
            "HISTORY_SERVICE_URL": history.url,
            "MCP_SERVER_URL": f"{mcp.url}/mcp",
            "MODEL_PROVIDER": path_name,
            # Many turns from few users: limits far above what the benchmark sends.
            "CHAT_TURNS_PER_MINUTE": "100000",
            "CHAT_TURN_BURST": "10000",
            "CHAT_CONCURRENT_TURNS": "1000",
        }
        model: ServiceProcess | None = None
        if path_name == "openai-compatible":
            model = start("fake_chat_completions", {}, [sys.executable, str(FAKE_MODEL)])
            gateway_env |= {"OPENAI_BASE_URL": f"{model.url}/v1", "MODEL": "bench-model"}
        gateway = start("agent_gateway.main", gateway_env)
        groups = {
            "gateway": process_group(gateway),
            "history": process_group(history),
            "mcp": process_group(mcp),
            "postgres": postgres_main_process(admin_url),
        }
        if model is not None:
            groups["model"] = process_group(model)
        return asyncio.run(scenarios(gateway.url, history.url, groups, path_name, args))
    finally:
        for process in reversed(started):
            process.stop()


def process_group(process: ServiceProcess) -> int:
    assert process.process is not None
    return os.getpgid(process.process.pid)


def side_by_side(results: dict[str, dict[str, Any]]) -> list[dict[str, object]]:
    """One row per scenario: each path's p50, p95, turns/s and our services' CPU per turn."""
    names = [row["scenario"] for row in next(iter(results.values()))["rows"]]
    table = []
    for name in names:
        line: dict[str, object] = {"scenario": name}
        for path_name, result in results.items():
            found = next(r for r in result["rows"] if r["scenario"] == name)
            short = "offline" if path_name == "offline" else "provider"
            line |= {
                f"{short}_p50": found["p50_ms"],
                f"{short}_p95": found["p95_ms"],
                f"{short}_turns/s": found["turns_per_s"],
                f"{short}_cpu": found["cpu_ours"],
            }
        table.append(line)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", choices=[*PATHS, "both"], default="both")
    parser.add_argument("--duration", type=float, default=30, help="seconds per paced scenario")
    parser.add_argument(
        "--saturation", type=float, default=20, help="seconds of back-to-back turns"
    )
    parser.add_argument("--overhead-turns", type=int, default=200)
    parser.add_argument(
        "--overhead-runs", type=int, default=3, help="runs of each sequential scenario"
    )
    args = parser.parse_args()
    random.seed(0)
    results: dict[str, dict[str, Any]] = {}
    with postgres_server() as admin_url, tempfile.TemporaryDirectory() as logs:
        for path_name in PATHS if args.model == "both" else [args.model]:
            results[path_name] = run_path(path_name, admin_url, Path(logs), args)
    if len(results) > 1:
        print_table(
            "Both model paths (ms; cpu = gateway + history + mcp, ms per turn)",
            side_by_side(results),
        )
    write_results("chat_load", {"args": vars(args), "paths": results})


if __name__ == "__main__":
    main()
