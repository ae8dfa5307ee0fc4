"""Benchmark: an interleaved A/B of speed tricks, measured as CPU per chat turn.

Each variant is a checkout of the project (with its own `.venv`) that differs from the baseline by
one trick removed. Every variant's three services run at once against one PostgreSQL server; the
rounds then send the same sequential conversation to each variant in a shuffled order, so a drift
in the machine's speed falls on all variants alike. A turn's CPU is the CPU time the gateway,
history-service, mcp-server and PostgreSQL processes spent during the batch, over its turns (CPU,
not wall time: other work on the machine changes it less).

    uv run python bench/tricks_ab.py base=/path/a no_trick=/path/b [--rounds 8] [--turns 100]
        [--model offline|openai-compatible]

With `--model openai-compatible` every gateway asks one shared fake Chat Completions server
(bench/fake_chat_completions.py, from this checkout), whose CPU is not counted. A variant written
`name=checkout@model` uses that model path whatever `--model` says: `offline=.@offline
provider=.@openai-compatible` compares the two paths of one checkout.

The first variant is the baseline; writes bench/results/tricks_ab.json.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chat_load import FAKE_MODEL, MESSAGES, PATHS, calibration_ms
from cpu import group_cpu_seconds, postgres_main_process
from databases import fresh_database
from stats import write_results

from todo_testing.postgres import postgres_server
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, token_for

PARTS = ("gateway", "history", "mcp", "postgres")


@dataclass
class Variant:
    """One checkout's running services and what each batch of turns cost."""

    name: str
    root: Path
    model: str = "offline"
    groups: dict[str, int] = field(default_factory=dict)
    url: str = ""
    cpu_ms: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PARTS})
    wall_ms: list[float] = field(default_factory=list)


async def batch(client: aiohttp.ClientSession, variant: Variant, turns: int) -> dict[str, float]:
    """One new user's conversation of `turns` turns, one at a time; CPU ms per turn by part."""
    user = f"ab-{uuid.uuid4().hex[:12]}"
    headers = {"Authorization": f"Bearer {token_for(user, ttl_seconds=7200)}"}
    conversation_id: str | None = None
    before = {part: group_cpu_seconds(group) for part, group in variant.groups.items()}
    walls = []
    for n in range(turns):
        body: dict[str, str] = {"message": MESSAGES[n % len(MESSAGES)].format(n=n)}
        body["message_id"] = uuid.uuid4().hex
        if conversation_id:
            body["conversation_id"] = conversation_id
        started = time.perf_counter()
        async with client.post(f"{variant.url}/api/{user}/chat", json=body, headers=headers) as r:
            answer = await r.json(content_type=None)
            if r.status != 200:
                raise RuntimeError(f"{variant.name}: {r.status} {answer}")
        walls.append((time.perf_counter() - started) * 1000)
        conversation_id = answer["conversation_id"]
    after = {part: group_cpu_seconds(group) for part, group in variant.groups.items()}
    variant.wall_ms.append(statistics.median(walls))
    return {part: (after[part] - before[part]) * 1000 / turns for part in variant.groups}


async def rounds(variants: list[Variant], count: int, turns: int) -> list[float]:
    calibrations = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
        for variant in variants:  # warm-up, not counted
            await batch(client, variant, turns // 2)
        for index in range(count):
            order = random.sample(variants, len(variants))
            calibrations.append(calibration_ms())
            for variant in order:
                for part, ms in (await batch(client, variant, turns)).items():
                    variant.cpu_ms[part].append(ms)
            print(f"round {index + 1}/{count} done (calibration {calibrations[-1]} ms)", flush=True)
    return calibrations


def report(variants: list[Variant]) -> list[dict[str, object]]:
    """Per variant: median CPU ms per turn by part and in total, and the change against the
    baseline, taken round by round (both measured minutes apart at most) and then the median."""
    base = variants[0]
    base_totals = [
        sum(base.cpu_ms[p][i] for p in PARTS) for i in range(len(base.cpu_ms["gateway"]))
    ]
    rows = []
    for variant in variants:
        totals = [sum(variant.cpu_ms[p][i] for p in PARTS) for i in range(len(base_totals))]
        deltas = [t - b for t, b in zip(totals, base_totals, strict=True)]
        rows.append(
            {
                "variant": variant.name,
                **{f"{p}_ms": round(statistics.median(variant.cpu_ms[p]), 2) for p in PARTS},
                "cpu_ms_per_turn": round(statistics.median(totals), 2),
                "vs_base_ms": round(statistics.median(deltas), 2),
                "vs_base_pct": round(
                    100 * statistics.median(deltas) / statistics.median(base_totals), 1
                ),
                "delta_range_ms": [round(min(deltas), 2), round(max(deltas), 2)],
                "wall_p50_ms": round(statistics.median(variant.wall_ms[1:]), 2),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("variants", nargs="+", help="name=checkout (the first is the baseline)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--turns", type=int, default=100, help="turns per batch")
    parser.add_argument("--model", choices=PATHS, default="offline")
    args = parser.parse_args()
    random.seed(0)
    variants = []
    for spec in args.variants:
        name, checkout = spec.split("=", 1)
        checkout, _, model = checkout.partition("@")
        variants.append(Variant(name, Path(checkout).resolve(), model or args.model))
    processes: list[ServiceProcess] = []
    with postgres_server() as admin_url, tempfile.TemporaryDirectory() as logs:
        postgres_group = postgres_main_process(admin_url)
        common = {"APP_ENV": "test", "AUTH_JWT_SECRET": TEST_JWT_SECRET, "LOG_LEVEL": "WARNING"}
        fake_env: dict[str, str] = {}
        try:
            if any(variant.model == "openai-compatible" for variant in variants):
                log = Path(logs) / "fake_chat_completions.log"
                command = [sys.executable, str(FAKE_MODEL)]
                model = ServiceProcess("fake_chat_completions", {}, log, command=command).start()
                processes.append(model)
                fake_env = {"OPENAI_BASE_URL": f"{model.url}/v1", "MODEL": "bench-model"}
            for variant in variants:
                urls = [fresh_database(admin_url, f"ab_{variant.name}_{d}") for d in ("h", "t")]
                history = service(
                    variant, "history_service.main", {**common, "DATABASE_URL": urls[0]}, Path(logs)
                )
                processes.append(history)
                mcp = service(
                    variant, "todo_mcp.main", {**common, "DATABASE_URL": urls[1]}, Path(logs)
                )
                processes.append(mcp)
                gateway_env = {
                    **common,
                    "HISTORY_SERVICE_URL": history.url,
                    "MCP_SERVER_URL": f"{mcp.url}/mcp",
                    "MODEL_PROVIDER": variant.model,
                    **(fake_env if variant.model == "openai-compatible" else {}),
                    # Many turns from few users: limits far above what the benchmark sends.
                    "CHAT_TURNS_PER_MINUTE": "100000",
                    "CHAT_TURN_BURST": "10000",
                    "CHAT_CONCURRENT_TURNS": "1000",
                }
                gateway = service(variant, "agent_gateway.main", gateway_env, Path(logs))
                processes.append(gateway)
                variant.url = gateway.url
                variant.groups = {
                    "gateway": _group(gateway),
                    "history": _group(history),
                    "mcp": _group(mcp),
                    "postgres": postgres_group,
                }
            calibrations = asyncio.run(rounds(variants, args.rounds, args.turns))
        finally:
            for process in processes:
                process.stop()
    rows = report(variants)
    for row in rows:
        print(row)
    write_results("tricks_ab", {"args": vars(args), "calibration_ms": calibrations, "rows": rows})


def service(variant: Variant, module: str, env: dict[str, str], logs: Path) -> ServiceProcess:
    """`python -m module` from the variant's own checkout and virtual environment, started."""
    python = str(variant.root / ".venv" / "bin" / "python")
    log = logs / f"{variant.name}-{module}.log"
    command = [python, "-m", module]
    return ServiceProcess(module, env, log, command=command, cwd=variant.root).start()


def _group(process: ServiceProcess) -> int:
    assert process.process is not None
    return os.getpgid(process.process.pid)


if __name__ == "__main__":
    main()
