"""The gateway SIGKILLed while a ChatKit stream is open: history holds a prefix of the turn (the
user message, then tool items, no answer or a partial one), and `threads.retry_after_item` on the
user message, after the restart, finishes the turn once: one answer, one task."""

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import pytest

from tests.reliability.chatkit import Stream, chatkit_request, chatkit_stream, user_input
from tests.reliability.client import REQUEST_TIMEOUT, TURN_DEADLINE, Turn, add_turn
from tests.reliability.invariants import (
    Message,
    check_tasks,
    check_tool_calls,
    report,
    stored_messages,
    stored_tasks,
)
from tests.reliability.proxy import Phase
from tests.reliability.stack import Stack


@dataclass(frozen=True)
class KillPoint:
    """Where the stream is when the gateway dies: the request held at a proxy."""

    service: Literal["history", "mcp"]
    method: str
    body: str
    phase: Phase
    new_thread: bool


KILL_POINTS = {
    # mcp-server committed the add; the gateway dies before the tool item is finished.
    "threads.create, add_task answered": KillPoint(
        "mcp", "POST", "(?=.*tools/call)(?=.*{token})", "response", new_thread=True
    ),
    # The tool item is stored and the answer streamed; the gateway dies storing the answer.
    "threads.add_user_message, answer being stored": KillPoint(
        "history", "POST|PUT", r'(?=.*"role":\s*"assistant")(?=.*{token})', "request", False
    ),
}


def _turn_messages(messages: list[Message], user_item_id: str) -> list[Message]:
    ids = [m["id"] for m in messages]
    return messages[ids.index(user_item_id) :] if user_item_id in ids else []


def _prefix_problems(turn: list[Message]) -> list[str]:
    """The stored turn is the user message, then tool items, then at most a partial answer."""
    roles = [m["role"] for m in turn]
    if roles[:1] != ["user"]:
        return [f"the killed turn's user message is not stored first: {roles}"]
    end = 1
    while end < len(roles) and roles[end] == "tool":
        end += 1
    rest = turn[end:]
    if not rest or (
        len(rest) == 1
        and rest[0]["role"] == "assistant"
        and (rest[0].get("metadata") or {}).get("partial")
    ):
        return []
    return [f"the killed turn stored more than a prefix of itself: {roles}"]


def _finished_problems(turn: list[Message], final: Stream) -> list[str]:
    """The retried turn: one user message, tool items, one final answer: the one streamed."""
    roles = [m["role"] for m in turn]
    if roles.count("user") != 1 or roles.count("assistant") != 1 or roles[-1] != "assistant":
        return [f"the retried turn is stored as {roles}"]
    answer = turn[-1]
    problems = []
    if (answer.get("metadata") or {}).get("partial"):
        problems.append("the retried turn's answer is stored as partial")
    streamed = final.done_items("assistant_message")[-1]
    text = "".join(part["text"] for part in streamed["content"])
    if answer["content"] != text:
        problems.append(f"streamed {text!r} but stored {answer['content']!r}")
    return problems


async def _retry_until_answered(
    http: aiohttp.ClientSession, stack: Stack, user: str, thread_id: str, item_id: str
) -> Stream:
    give_up = time.monotonic() + TURN_DEADLINE
    request = chatkit_request("threads.retry_after_item", thread_id=thread_id, item_id=item_id)
    while True:
        stream = await chatkit_stream(http, stack.gateway.url, user, request)
        if stream.answered or time.monotonic() > give_up:
            return stream
        await asyncio.sleep(0.2)


@pytest.mark.parametrize("name", list(KILL_POINTS))
async def test_a_stream_cut_by_a_gateway_kill_leaves_a_prefix_and_a_retry_finishes_it_once(
    name: str, stack: Stack, http: aiohttp.ClientSession
) -> None:
    point = KILL_POINTS[name]
    user = f"ck-{uuid.uuid4().hex[:10]}"
    turns: list[Turn] = []
    thread_id: str | None = None
    if not point.new_thread:
        first = add_turn("chatkit", f"kettle {uuid.uuid4().hex[:6]}")
        opened = await chatkit_stream(
            http,
            stack.gateway.url,
            user,
            chatkit_request("threads.create", input=user_input(first.message)),
        )
        assert opened.answered, opened
        thread_id = opened.events[0]["thread"]["id"]
        first.ack = {"response": "", "tool_calls": []}  # answered: its task must exist
        turns.append(first)

    token = f"lamp {uuid.uuid4().hex[:8]}"
    turn = add_turn("chatkit", token)
    turns.append(turn)
    request = (
        chatkit_request("threads.create", input=user_input(turn.message))
        if thread_id is None
        else chatkit_request(
            "threads.add_user_message", thread_id=thread_id, input=user_input(turn.message)
        )
    )
    proxy = stack.mcp_proxy if point.service == "mcp" else stack.history_proxy
    assert proxy is not None
    hold = proxy.hold(point.method, "", point.body.format(token=token), phase=point.phase)
    started = asyncio.Event()
    cut = asyncio.create_task(chatkit_stream(http, stack.gateway.url, user, request, started))
    await hold.wait()
    async with asyncio.timeout(REQUEST_TIMEOUT):
        await started.wait()  # the stream is open: the client has its first events
    stack.gateway.kill()
    hold.drop()
    killed = await cut
    await asyncio.to_thread(stack.gateway.start)

    problems: list[str] = []
    if killed.answered:
        problems.append("the stream finished although the gateway was killed mid-turn")
    thread_id = thread_id or killed.events[0]["thread"]["id"]
    user_item = [i for i in killed.done_items("user_message") if _text(i) == turn.message]
    messages = await stored_messages(http, stack.history.url, user, thread_id)
    stored_user = [m for m in messages if m["role"] == "user" and m["content"] == turn.message]
    if not user_item or not stored_user or user_item[0]["id"] != stored_user[0]["id"]:
        problems.append(f"the streamed user message {user_item} is not the stored {stored_user}")
    if not stored_user:
        pytest.fail(report(problems, f"rel-chatkit-{point.service}"))
    turn.message_id = stored_user[0]["id"]
    problems += _prefix_problems(_turn_messages(messages, turn.message_id))

    final = await _retry_until_answered(http, stack, user, thread_id, turn.message_id)
    if not final.answered:
        problems.append(f"threads.retry_after_item never finished the turn: {final.failure}")
    else:
        turn.ack = {"response": "", "tool_calls": []}  # answered: its task must exist
        messages = await stored_messages(http, stack.history.url, user, thread_id)
        problems += _finished_problems(_turn_messages(messages, turn.message_id), final)
        problems += check_tool_calls(messages)
        problems += check_tasks(turns, messages, await stored_tasks(http, stack.mcp.url, user))
    assert not problems, report(problems, f"rel-chatkit-{point.service}")


def _text(item: dict[str, Any]) -> str:
    return "".join(part.get("text", "") for part in item["content"])
