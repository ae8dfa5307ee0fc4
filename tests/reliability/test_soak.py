"""Soak without faults: 50 conversations x 20 turns at once through the gateway. Every request
succeeds at the first attempt, and history and the task list hold exactly what was sent."""

import asyncio
import random

import aiohttp
import pytest

from tests.reliability.client import ChatClient
from tests.reliability.invariants import conversation_problems, report, stored_messages
from tests.reliability.stack import Stack
from tests.reliability.workload import Conversation, Progress, run_all

SEED = 1105
CONVERSATIONS, TURNS = 50, 20
DEADLINE_SECONDS = 240


def _exactly_as_sent(conversation: Conversation, messages: list[dict]) -> list[str]:
    """Each turn is stored as its user message, one tool call, one answer, in the order sent."""
    roles = [m["role"] for m in messages]
    if roles != ["user", "tool", "assistant"] * TURNS:
        return [f"stored roles {roles}"]
    sent = [t.message for t in conversation.turns]
    stored = [m["content"] for m in messages if m["role"] == "user"]
    return [] if stored == sent else [f"stored user messages {stored}, sent {sent}"]


@pytest.mark.timeout(DEADLINE_SECONDS + 60)
async def test_soak_every_turn_succeeds_and_is_stored_exactly(
    direct_stack: Stack, http: aiohttp.ClientSession
) -> None:
    stack = direct_stack
    conversations = [
        Conversation(
            ChatClient(http, stack.gateway.url, f"soak{index:02d}-{SEED}", retries=False),
            label=f"sk{index:02d}",
            rng=random.Random(SEED + index),
        )
        for index in range(CONVERSATIONS)
    ]
    async with asyncio.timeout(DEADLINE_SECONDS):
        await run_all(conversations, TURNS, Progress(CONVERSATIONS * TURNS))

    problems = [f"{c.label}: {c.lost}" for c in conversations if c.lost]
    for conversation in conversations:
        user, conversation_id = conversation.client.user, conversation.conversation_id
        found = await conversation_problems(
            http, stack.history.url, stack.mcp.url, user, conversation_id, conversation.turns
        )
        if conversation_id is not None and not conversation.lost:
            messages = await stored_messages(http, stack.history.url, user, conversation_id)
            found += _exactly_as_sent(conversation, messages)
        problems += [f"{conversation.label}: {p}" for p in found]
    assert not problems, report(problems, "rel-soak")
