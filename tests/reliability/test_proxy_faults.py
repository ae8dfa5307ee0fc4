"""Deterministic faults, one window of a turn at a time: a request of the turn is held at the proxy
(before it reaches the service, or after the service answered), a process is SIGKILLed, the held
request is dropped, the process restarts, and the client retries with the same message_id. The
retry finishes the turn once: one user message, one answer, one task."""

import asyncio
import uuid
from dataclasses import dataclass
from typing import Literal

import aiohttp
import pytest

from tests.reliability.client import Attempt, ChatClient, Turn, TurnLost, add_turn, chat_body
from tests.reliability.invariants import check_ack, conversation_problems, report
from tests.reliability.proxy import Phase
from tests.reliability.stack import Service, Stack

ROLE = r'(?=.*"role":\s*"{role}")'
STORE = "POST|PUT"
MCP_CALL = "(?=.*tools/call)"


@dataclass(frozen=True)
class Fault:
    """Hold the request of the turn matching `body` (a regex; `{token}` is the turn's unique
    words) at `phase` on the way to `service`, then SIGKILL `victim`."""

    service: Literal["history", "mcp"]
    method: str
    body: str
    phase: Phase
    victim: Literal["gateway", "history", "mcp"]
    first_turn: bool = False
    """The faulted turn starts the conversation (else a finished turn comes first)."""
    tool_stored: bool = False
    """The tool call's message is in history before the fault: the retry must not call it again."""


def _store(role: str) -> str:
    return ROLE.format(role=role) + "(?=.*{token})"


FAULTS = {
    "user-message-store-held-gateway-killed": Fault(
        "history", STORE, _store("user"), "request", "gateway", first_turn=True
    ),
    "user-message-stored-gateway-killed": Fault(
        "history", STORE, _store("user"), "response", "gateway", first_turn=True
    ),
    "tool-request-held-gateway-killed": Fault(
        "mcp", "POST", MCP_CALL + "(?=.*{token})", "request", "gateway"
    ),
    "tool-response-held-gateway-killed": Fault(
        "mcp", "POST", MCP_CALL + "(?=.*{token})", "response", "gateway"
    ),
    "tool-message-store-held-gateway-killed": Fault(
        "history", STORE, _store("tool"), "request", "gateway"
    ),
    "tool-message-stored-gateway-killed": Fault(
        "history", STORE, _store("tool"), "response", "gateway", tool_stored=True
    ),
    "answer-store-held-gateway-killed": Fault(
        "history", STORE, _store("assistant"), "request", "gateway", tool_stored=True
    ),
    "answer-stored-gateway-killed": Fault(
        "history", STORE, _store("assistant"), "response", "gateway", tool_stored=True
    ),
    "answer-store-held-history-killed": Fault(
        "history", STORE, _store("assistant"), "request", "history", tool_stored=True
    ),
    "answer-stored-history-killed": Fault(
        "history", STORE, _store("assistant"), "response", "history", tool_stored=True
    ),
    "add-committed-mcp-killed": Fault("mcp", "POST", MCP_CALL + "(?=.*{token})", "response", "mcp"),
}


def _victim(stack: Stack, fault: Fault) -> Service:
    return {"gateway": stack.gateway, "history": stack.history, "mcp": stack.mcp}[fault.victim]


def _first_attempt_problems(fault: Fault, turn: Turn, attempt: Attempt) -> list[str]:
    """What the attempt that saw the fault got, when the gateway lived through it: never a 200
    that claims a failure; a tool call whose outcome mcp-server never told is a 503 with
    Retry-After (the same turn retried later finishes it)."""
    if fault.victim == "gateway":
        return []
    label = "the attempt that saw the fault"
    if attempt.status == 200:
        probe = Turn(turn.message_id, turn.message, turn.action, title=turn.title)
        probe.ack = attempt.json()
        found = [f"{label}: {p}" for p in check_ack(probe)]
        if fault.victim == "mcp":
            found.append(f"{label} answered 200, not 503: {attempt.text[:300]}")
        return found
    if fault.victim == "mcp" and attempt.status != 503:
        return [f"{label} answered {attempt.describe()}, not 503"]
    if fault.victim == "mcp" and "retry-after" not in attempt.headers:
        return [f"{label} answered 503 without Retry-After"]
    return []


@pytest.mark.parametrize("name", list(FAULTS))
async def test_a_fault_in_each_window_of_a_turn_is_finished_once_by_a_retry(
    name: str, stack: Stack, http: aiohttp.ClientSession
) -> None:
    fault = FAULTS[name]
    user = f"pf-{uuid.uuid4().hex[:10]}"
    client = ChatClient(http, stack.gateway.url, user)
    turns: list[Turn] = []
    conversation_id = None
    if not fault.first_turn:
        warm_up = add_turn(f"{user}-m0", f"kettle {uuid.uuid4().hex[:6]}")
        turns.append(warm_up)
        conversation_id = (await client.send(warm_up))["conversation_id"]
    token = f"widget {uuid.uuid4().hex[:8]}"
    turn = add_turn(f"{user}-m1", token)
    turns.append(turn)
    proxy = stack.history_proxy if fault.service == "history" else stack.mcp_proxy
    assert proxy is not None
    hold = proxy.hold(fault.method, "", fault.body.format(token=token), phase=fault.phase)
    first = asyncio.create_task(client.attempt(chat_body(turn, conversation_id)))
    await hold.wait()
    victim = _victim(stack, fault)
    victim.kill()
    hold.drop()
    attempt = await first
    await asyncio.to_thread(victim.start)

    problems = _first_attempt_problems(fault, turn, attempt)
    assert stack.mcp_proxy is not None
    calls_before = len(stack.mcp_proxy.seen)
    try:
        await client.send(turn, conversation_id)
    except TurnLost as exc:
        problems.append(f"the retry never succeeded: {exc}; failures {turn.failures[-3:]}")
    if turn.ack is not None:
        conversation_id = turn.ack["conversation_id"]
    redone = stack.mcp_proxy.count("POST", "", f"{MCP_CALL}(?=.*{token})", since=calls_before)
    if fault.tool_stored and redone:
        problems.append(f"the retry called the stored tool call again ({redone} tools/call)")
    problems += await conversation_problems(
        http, stack.history.url, stack.mcp.url, user, conversation_id, turns
    )
    assert not problems, report(problems, f"rel-proxy-faults-{name}")
