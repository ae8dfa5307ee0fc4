"""Profile: where agent-gateway's CPU goes on one model path.

Starts PostgreSQL, history-service, mcp-server (and, for the provider path, the fake Chat
Completions server), then the gateway under a profiler; sends `--turns` sequential turns in
conversations of 4 (the `chat_load.py` mix), stops the gateway and prints where its time went.

py-spy (the default) samples the running process 200 times a second, idle moments left out, so
its shares are CPU shares; it prints the functions whose frames are on the most samples (inclusive)
and the ones most often running themselves (own). cProfile instruments every call: exact call
counts, but its times are wall-clock and inflate small, frequent calls. Start-up is in both
whole-process profiles; the turns dominate them.

    uv run --with py-spy python bench/profile_gateway.py [--profiler py-spy|cprofile]
        [--model openai-compatible] [--turns 400] [--top 30] [--tag=-after]
"""

import argparse
import asyncio
import io
import pstats
import re
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chat_load import FAKE_MODEL, PATHS, Run, conversations
from databases import fresh_database
from stats import RESULTS

from todo_testing.postgres import postgres_server
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET


async def send_turns(url: str, turns: int) -> Run:
    run = Run("profile")
    async with aiohttp.ClientSession(base_url=url) as client:
        for conversation in conversations(client, max(1, turns // 4), run):
            for _ in range(4):
                await conversation.turn()
    return run


LINE = re.compile(r":\d+\)$")
START_UP = ("Config.load_app", "_find_and_load")


def print_samples(path: Path, top: int) -> None:
    """From py-spy's raw stacks, start-up (imports) left out: the functions on the most samples,
    counted once per stack, and the ones most often running themselves (the stack's last)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [LINE.sub(")", frame) for frame in stack.split(";")]
        if any(frame.startswith(START_UP) for frame in frames):
            continue
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    for title, counter in (("inclusive", inclusive), ("own", own)):
        print(f"\n{title} share of {total} samples (start-up left out)")
        for frame, count in counter.most_common(top):
            print(f"{100 * count / total:6.1f}%  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", choices=PATHS, default="openai-compatible")
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--tag", default="", help="suffix of the saved profile's name")
    parser.add_argument("--profiler", choices=("py-spy", "cprofile"), default="py-spy")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    suffix = "prof" if args.profiler == "cprofile" else "pyspy.txt"
    profile = RESULTS / f"gateway_{args.model}{args.tag}.{suffix}"
    with postgres_server() as admin_url, tempfile.TemporaryDirectory() as logs:
        urls = [fresh_database(admin_url, f"prof_{name}") for name in ("history", "tasks")]
        common = {"APP_ENV": "test", "AUTH_JWT_SECRET": TEST_JWT_SECRET, "LOG_LEVEL": "WARNING"}
        started: list[ServiceProcess] = []

        def start(module: str, env: dict[str, str], command: list[str]) -> ServiceProcess:
            log = Path(logs) / f"{module}.log"
            started.append(ServiceProcess(module, env, log, command=command).start())
            return started[-1]

        try:
            py = [sys.executable, "-m"]
            history = start(
                "history", {**common, "DATABASE_URL": urls[0]}, [*py, "history_service.main"]
            )
            mcp = start("mcp", {**common, "DATABASE_URL": urls[1]}, [*py, "todo_mcp.main"])
            env = {
                **common,
                "HISTORY_SERVICE_URL": history.url,
                "MCP_SERVER_URL": f"{mcp.url}/mcp",
                "MODEL_PROVIDER": args.model,
                "CHAT_TURNS_PER_MINUTE": "100000",
                "CHAT_TURN_BURST": "10000",
                "CHAT_CONCURRENT_TURNS": "1000",
            }
            if args.model == "openai-compatible":
                model = start("model", {}, [sys.executable, str(FAKE_MODEL)])
                env |= {"OPENAI_BASE_URL": f"{model.url}/v1", "MODEL": "bench-model"}
            command = [*py, "cProfile", "-o", str(profile), "-m", "agent_gateway.main"]
            if args.profiler == "py-spy":
                spy = ["py-spy", "record", "-r", "200", "-f", "raw", "-o", str(profile), "--"]
                command = [*spy, *py, "agent_gateway.main"]
            gateway = start("gateway", env, command)
            run = asyncio.run(send_turns(gateway.url, args.turns))
            # SIGINT, not stop()'s SIGTERM: uvicorn re-raises the signal it caught after shutting
            # down, and only KeyboardInterrupt lets cProfile write the profile on the way out;
            # py-spy writes its samples when interrupted.
            assert gateway.process is not None
            gateway.process.send_signal(signal.SIGINT)
            gateway.process.wait(timeout=30)
        finally:
            for process in reversed(started):
                process.stop()
    print(f"{len(run.latencies)} turns, {len(run.errors)} errors; profile in {profile}")
    if args.profiler == "py-spy":
        print_samples(profile, args.top)
        return
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(str(profile), stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue().split("   ncalls", 1)[-1].join(["   ncalls", ""]))


if __name__ == "__main__":
    main()
