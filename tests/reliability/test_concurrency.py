"""Concurrent requests: the same message_id sent ten times at once is one turn; ten turns at once in
one conversation each answer their own message."""

import asyncio
import re
import uuid
from collections import Counter

import aiohttp

from tests.reliability.client import ChatClient, Turn, TurnLost, add_turn
from tests.reliability.invariants import (
    check_ack,
    check_tasks,
    check_tool_calls,
    conversation_problems,
    report,
    stored_messages,
    stored_tasks,
)
from tests.reliability.stack import Stack
from tests.reliability.workload import LIST_MESSAGE

TRIES = 10


async def _send_all(
    client: ChatClient, turns: list[Turn], conversation_id: str | None
) -> list[str]:
    """Send every turn at once (each retried on its own); the ones lost."""
    outcomes = await asyncio.gather(
        *(client.send(turn, conversation_id) for turn in turns), return_exceptions=True
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, TurnLost):
            raise outcome
    return [f"turn lost: {o}" for o in outcomes if isinstance(o, TurnLost)]


async def test_the_same_message_id_ten_times_at_once_is_one_turn(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    user = f"cc-{uuid.uuid4().hex[:10]}"
    client = ChatClient(http, stack.gateway.url, user)
    words = f"drum {uuid.uuid4().hex[:8]}"
    tries = [add_turn(f"{user}-m1", words) for _ in range(TRIES)]

    problems = await _send_all(client, tries, None)
    conversations = {t.ack["conversation_id"] for t in tries if t.ack is not None}
    if len(conversations) != 1:
        problems.append(f"the tries landed in {len(conversations)} conversations")
    problems += [p for t in tries[1:] for p in check_ack(t)]
    if conversations:
        problems += await conversation_problems(
            http, stack.history.url, stack.mcp.url, user, min(conversations), tries[:1]
        )
    assert not problems, report(problems, "rel-concurrency-same-id")


async def test_ten_turns_at_once_in_one_conversation_each_answer_their_own_message(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    user = f"cc-{uuid.uuid4().hex[:10]}"
    client = ChatClient(http, stack.gateway.url, user)
    opening = Turn(f"{user}-m00", LIST_MESSAGE, "list")
    conversation_id = (await client.send(opening))["conversation_id"]
    turns = [
        add_turn(f"{user}-m{index:02d}", f"flute {index:02d} {uuid.uuid4().hex[:6]}")
        for index in range(1, 11)
    ]

    problems = await _send_all(client, turns, conversation_id)
    problems += [p for t in turns for p in check_ack(t)]
    messages = await stored_messages(http, stack.history.url, user, conversation_id)
    ids = Counter(m["id"] for m in messages)
    problems += [f"message id {mid} stored {n} times" for mid, n in ids.items() if n > 1]
    for turn in [opening, *turns]:
        users = [m for m in messages if m["role"] == "user" and m["id"] == turn.message_id]
        if len(users) != 1:
            problems.append(f"turn {turn.message_id}: {len(users)} user messages stored")
    answers = [m for m in messages if m["role"] == "assistant"]
    if len(answers) != len(turns) + 1:
        problems.append(f"{len(answers)} answers stored for {len(turns) + 1} user messages")
    for turn in turns:
        assert turn.title is not None
        about = [a for a in answers if re.search(rf"\b{re.escape(turn.title)}\b", a["content"])]
        if len(about) != 1:
            problems.append(f"{len(about)} stored answers name {turn.title!r}")
    problems += check_tool_calls(messages)
    problems += check_tasks(turns, messages, await stored_tasks(http, stack.mcp.url, user))
    assert not problems, report(problems, "rel-concurrency-one-conversation")
