"""Per-user turn limits and the turn deadline, against running services: two gateway processes
sharing one bucket per user (kept in history-service), REST answering 429 with Retry-After,
ChatKit an error event telling when to retry, nothing stored for a refused turn; and a model slower
than TURN_DEADLINE_SECONDS cut off, with the tool calls it made kept."""

import re
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from tests.conftest import gateway_env, start_service
from tests.gateway.chat_client import (
    chat,
    chat_ok,
    chatkit,
    chatkit_stream,
    messages,
    new_user,
    tasks,
    user_input,
)
from todo_testing.postgres import free_port, wait_for
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header

BURST = 4
DEADLINE_SECONDS = 6
SLOW = Path(__file__).with_name("slow_openai.py")
STRICT = {
    "CHAT_TURN_BURST": str(BURST),
    "CHAT_TURNS_PER_MINUTE": "1",  # no token comes back while a test runs
    "CHAT_CONCURRENT_TURNS": "100",
}


@pytest.fixture(scope="module")
def strict_gateways(history_server, mcp_server) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    """Two replicas with the same strict rate limit, over the same services."""
    env = gateway_env(history_server, mcp_server, **STRICT)
    one = start_service("agent_gateway.main", "gateway-limits-1", env)
    two = start_service("agent_gateway.main", "gateway-limits-2", env)
    yield one, two
    two.stop()
    one.stop()


@pytest.fixture(scope="module")
def slow_model(tmp_path_factory) -> Iterator[ServiceProcess]:
    port = free_port()
    server = ServiceProcess(
        "slow_openai",
        {},
        tmp_path_factory.mktemp("slow-openai") / "slow_openai.log",
        port,
        command=[sys.executable, str(SLOW), str(port)],
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def slow_gateway(history_server, mcp_server, slow_model) -> Iterator[ServiceProcess]:
    """A gateway whose model never finishes a turn, one turn at a time per user."""
    env = gateway_env(
        history_server,
        mcp_server,
        MODEL_PROVIDER="openai-compatible",
        OPENAI_BASE_URL=f"{slow_model.url}/v1",
        MODEL="slow-model",
        TURN_DEADLINE_SECONDS=str(DEADLINE_SECONDS),
        CHAT_CONCURRENT_TURNS="1",
    )
    gateway = start_service("agent_gateway.main", "gateway-limits-slow", env)
    yield gateway
    gateway.stop()


def conversations(history_url: str, user: str) -> list[dict]:
    response = httpx2.get(
        f"{history_url}/api/{user}/conversations", params={"limit": 100}, headers=auth_header(user)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def assert_refused(response: httpx2.Response, reason: str) -> int:
    """A 429 problem naming `reason`; its Retry-After in seconds."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == reason
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    return retry_after


def test_a_burst_from_one_user_is_refused_after_the_limit_on_every_replica(
    strict_gateways, history_server
):
    one, two = strict_gateways
    user, other = new_user("burst"), new_user("calm")
    with ThreadPoolExecutor(max_workers=BURST * 2) as pool:
        answers = list(
            pool.map(lambda i: chat((one, two)[i % 2].url, user, f"hello {i}"), range(BURST * 2))
        )
    served = [answer for answer in answers if answer.status_code == 200]
    assert len(served) == BURST
    for answer in answers:
        if answer.status_code != 200:
            # One token a minute: the next comes within a minute.
            assert 1 <= assert_refused(answer, "rate") <= 60
    # The bucket is the user's, whichever replica asks; nothing of a refused turn is stored.
    assert_refused(chat(one.url, user, "one more"), "rate")
    assert_refused(chat(two.url, user, "one more", message_id="m-refused"), "rate")
    assert len(conversations(history_server.url, user)) == BURST
    # Another user is served meanwhile, on both replicas.
    chat_ok(one.url, other, "hello")
    chat_ok(two.url, other, "hello again")


def test_chatkit_turns_share_the_bucket_and_a_refusal_is_an_error_event(
    strict_gateways, history_server
):
    one, two = strict_gateways
    user = new_user("chatkit-burst")
    events = chatkit_stream(one.url, user, "threads.create", input=user_input("hi"))
    thread_id = events[0]["thread"]["id"]
    for i in range(BURST - 1):
        chat_ok(two.url, user, f"hello {i}")

    refused = chatkit_stream(two.url, user, "threads.create", input=user_input("one more"))
    assert [event["type"] for event in refused] == ["error"]
    assert re.fullmatch(r"Too many messages — try again in \d+ s\.", refused[0]["message"])
    assert refused[0]["allow_retry"] is False
    assert len(conversations(history_server.url, user)) == BURST  # no empty thread left behind

    stored = messages(history_server.url, user, thread_id)
    refused = chatkit_stream(
        one.url, user, "threads.add_user_message", thread_id=thread_id, input=user_input("more")
    )
    assert [event["type"] for event in refused] == ["error"]
    assert "try again in" in refused[0]["message"]
    assert messages(history_server.url, user, thread_id) == stored


def test_a_turn_past_the_deadline_is_504_keeping_its_tool_call_and_freeing_its_slot(
    slow_gateway, history_server, mcp_server
):
    user = new_user("slow")
    first: list[httpx2.Response] = []
    running = threading.Thread(target=lambda: first.append(chat(slow_gateway.url, user, "Water")))
    running.start()
    try:
        # The turn is admitted before its message is stored: once stored, it holds the slot.
        wait_for(lambda: conversations(history_server.url, user) != [], timeout=30, what="turn")
        second = chat(slow_gateway.url, user, "Anything else?")
        assert 1 <= assert_refused(second, "concurrency") <= 5
    finally:
        running.join()
    [timed_out] = first
    assert timed_out.status_code == 504, timed_out.text
    assert timed_out.headers["content-type"] == "application/problem+json"
    [conversation] = conversations(history_server.url, user)
    stored = messages(history_server.url, user, conversation["id"])
    assert [m["role"] for m in stored] == ["user", "tool"]
    assert stored[1]["tool_calls"][0]["status"] == "ok"
    assert [t["title"] for t in tasks(mcp_server.url, user)] == ["Water the garden"]
    # The slot went with the turn: the next turn is admitted (and cut off in its turn).
    assert chat(slow_gateway.url, user, "Again").status_code == 504


def test_a_chatkit_turn_past_the_deadline_ends_with_an_error_event(slow_gateway, history_server):
    user = new_user("slow-chatkit")
    events = chatkit_stream(slow_gateway.url, user, "threads.create", input=user_input("Water"))
    assert events[0]["type"] == "thread.created"
    assert events[-1]["type"] == "error"
    assert "took too long" in events[-1]["message"]
    assert events[-1]["allow_retry"] is True
    stored = messages(history_server.url, user, events[0]["thread"]["id"])
    assert [m["role"] for m in stored] == ["user", "tool"]
    # Released when the stream ended: another stream is admitted.
    again = chatkit(
        slow_gateway.url, user, "threads.create", input=user_input("Again")
    ).text.splitlines()[0]
    assert '"thread.created"' in again


def test_an_open_stream_holds_its_slot_until_the_client_leaves(slow_gateway, history_server):
    user = new_user("leaver")
    body = {"type": "threads.create", "params": {"input": user_input("Water")}, "metadata": {}}
    url, headers = f"{slow_gateway.url}/chatkit", auth_header(user)
    with httpx2.stream("POST", url, json=body, headers=headers, timeout=30) as response:
        assert response.status_code == 200
        lines = response.iter_lines()  # kept: a dropped iterator closes the response
        assert '"thread.created"' in next(lines)
        assert_refused(chat(slow_gateway.url, user, "Meanwhile?"), "concurrency")
    # The client went away mid-turn: its slot is free long before it would expire.
    policy = {"burst": 1000, "per_minute": 1000, "concurrent": 1, "hold_seconds": 60}

    def slot_free() -> bool:
        claim = httpx2.post(
            f"{history_server.url}/api/{user}/turn-slots", json=policy, headers=headers
        )
        if claim.status_code != 201:
            return False
        httpx2.delete(
            f"{history_server.url}/api/{user}/turn-slots/{claim.json()['id']}", headers=headers
        )
        return True

    wait_for(slot_free, timeout=15, interval=0.5, what="the slot to be released")
