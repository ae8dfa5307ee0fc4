"""Random SIGKILLs under load: 20 conversations x 15 turns while history-service, the gateway and
mcp-server each die once inside turns. Every turn is eventually acknowledged, and history and the
task list hold exactly what the acknowledged turns asked for: nothing lost, stored twice or done
twice."""

import asyncio
import os
import random

import aiohttp
import pytest

from tests.reliability.client import ChatClient, failure_kinds
from tests.reliability.invariants import conversation_problems, report
from tests.reliability.stack import Stack
from tests.reliability.workload import Conversation, Progress, run_all

# RELIABILITY_SEED=<n> replays another run of conversations and kill points.
SEED = int(os.environ.get("RELIABILITY_SEED", "20240611"))
CONVERSATIONS, TURNS = 20, 15
DEADLINE_SECONDS = 240


async def kill_at_random_moments(stack: Stack, rng: random.Random, progress: Progress) -> list[str]:
    """history-service, then the gateway (between a tool call and its answer), then mcp-server,
    each SIGKILLed once the workload reaches a seeded point, and restarted ~2 s later."""
    assert stack.mcp_proxy is not None
    done: list[str] = []
    total = progress.total
    if await progress.reached(int(total * rng.uniform(0.08, 0.2))):
        await asyncio.sleep(rng.uniform(0, 0.05))
        await stack.history.crash_and_restart()
        done.append("history-service")
    if await progress.reached(int(total * rng.uniform(0.35, 0.5))):
        # mcp-server has answered a tool call; the gateway dies before it stores or answers.
        hold = stack.mcp_proxy.hold("POST", "/mcp", "tools/call", phase="response")
        await hold.wait()
        stack.gateway.kill()
        hold.release()
        await stack.gateway.crash_and_restart()
        done.append("gateway")
    if await progress.reached(int(total * rng.uniform(0.6, 0.75))):
        await asyncio.sleep(rng.uniform(0, 0.05))
        await stack.mcp.crash_and_restart()
        done.append("mcp-server")
    return done


@pytest.mark.timeout(DEADLINE_SECONDS + 60)
async def test_random_kills_lose_nothing_and_do_nothing_twice(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    rng = random.Random(SEED)
    conversations = [
        Conversation(
            ChatClient(http, stack.gateway.url, f"rk{index:02d}-{SEED}", rng=random.Random(index)),
            label=f"rk{index:02d}",
            rng=random.Random(SEED + index),
        )
        for index in range(CONVERSATIONS)
    ]
    progress = Progress(CONVERSATIONS * TURNS)
    async with asyncio.timeout(DEADLINE_SECONDS):
        killed, _ = await asyncio.gather(
            kill_at_random_moments(stack, rng, progress),
            run_all(conversations, TURNS, progress),
        )

    turns = [turn for conversation in conversations for turn in conversation.turns]
    retried = sum(1 for turn in turns if turn.failures)
    print(f"killed {killed}; {retried} of {len(turns)} turns retried: {failure_kinds(turns)}")
    problems = [f"{c.label}: {c.lost}" for c in conversations if c.lost]
    for conversation in conversations:
        found = await conversation_problems(
            http,
            stack.history.url,
            stack.mcp.url,
            conversation.client.user,
            conversation.conversation_id,
            conversation.turns,
        )
        problems += [f"{conversation.label}: {p}" for p in found]
    if killed != ["history-service", "gateway", "mcp-server"]:
        problems.insert(0, f"the workload ended before every kill: only {killed} were killed")
    assert not problems, report(problems, "rel-random-kills")
