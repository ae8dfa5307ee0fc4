"""A burst of chat turns from one user, spread over two gateway replicas, REST and ChatKit alike:
refused after the limit (429 + Retry-After, or ChatKit's error event with the retry time), nothing
of the refused turn stored, and another user unaffected."""

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from tests.conftest import gateway_env, start_service
from tests.reliability.proxy import HttpProxy
from tests.security.conftest import (
    TIMEOUT,
    Keys,
    Stack,
    auth_env,
    bearer,
    chatkit_request,
    new_user,
    rs256,
    sse_events,
    user_input,
)
from todo_testing.processes import ServiceProcess

BURST = 3
# A slow refill: no new turn is earned while the test runs.
LIMITS = {"CHAT_TURN_BURST": str(BURST), "CHAT_TURNS_PER_MINUTE": "1"}


@dataclass
class Replicas:
    """Two gateways over the same services, with a small turn limit."""

    first: ServiceProcess
    second: ServiceProcess

    def url(self, n: int) -> str:
        return (self.first, self.second)[n % 2].url


@pytest.fixture(scope="module")
def replicas(stack: Stack, jwks_url: str) -> Iterator[Replicas]:
    env = {**auth_env(jwks_url), **gateway_env(stack.history, stack.mcp), **LIMITS}
    first = start_service("agent_gateway.main", "security-gateway-limited-1", env)
    second = start_service("agent_gateway.main", "security-gateway-limited-2", env)
    yield Replicas(first, second)
    second.stop()
    first.stop()


def rest_turn(url: str, user: str, token: str, message_id: str) -> httpx2.Response:
    return httpx2.post(
        f"{url}/api/{user}/chat",
        json={"message": "Add a task to buy bread", "message_id": message_id},
        headers=bearer(token),
        timeout=TIMEOUT,
    )


def stored_messages(stack: Stack, user: str, token: str) -> list[dict[str, Any]]:
    listed = httpx2.get(
        f"{stack.history.url}/api/{user}/conversations",
        params={"limit": 100},
        headers=bearer(token),
        timeout=TIMEOUT,
    ).json()["items"]
    found = []
    for conversation in listed:
        page = httpx2.get(
            f"{stack.history.url}/api/{user}/conversations/{conversation['id']}/messages",
            params={"limit": 200},
            headers=bearer(token),
            timeout=TIMEOUT,
        )
        found += page.json()["items"]
    return found


def assert_too_many(response: httpx2.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) >= 1


def test_a_rest_burst_is_refused_across_replicas_and_others_are_unaffected(
    replicas: Replicas, stack: Stack, keys: Keys
):
    user, other = new_user("burst"), new_user("bystander")
    token, other_token = rs256(keys, user), rs256(keys, other)
    responses = [rest_turn(replicas.url(n), user, token, f"m-{n}") for n in range(BURST + 4)]
    statuses = [r.status_code for r in responses]

    assert statuses[:BURST] == [200] * BURST, statuses
    assert statuses[BURST:].count(429) >= 3, statuses  # at most one turn earned meanwhile
    for response in responses[BURST:]:
        if response.status_code != 200:
            assert_too_many(response)
    refused = {f"m-{n}" for n, status in enumerate(statuses) if status == 429}
    stored_ids = {m["id"] for m in stored_messages(stack, user, token)}
    assert not refused & stored_ids, "a refused turn left its message behind"
    assert rest_turn(replicas.url(0), other, other_token, "m-0").status_code == 200
    assert rest_turn(replicas.url(1), other, other_token, "m-1").status_code == 200


def refused_stream(response: httpx2.Response) -> bool:
    """A turn refused by a limit: a 429, or ChatKit's single error event naming the retry time."""
    if response.status_code == 429:
        assert_too_many(response)
        return True
    assert response.status_code == 200, response.text
    events = sse_events(response.text)
    errors = [e for e in events if e["type"] == "error"]
    if not errors:
        return False
    assert re.search(r"\d+ ?s", errors[0]["message"]), errors[0]
    assert int(response.headers["retry-after"]) >= 1
    assert not any(e["type"] == "thread.created" for e in events), events
    return True


def thread_count(url: str, token: str) -> int:
    response = chatkit_request(url, bearer(token), "threads.list", limit=100)
    assert response.status_code == 200, response.text
    return len(response.json()["data"])


def test_chatkit_and_rest_share_one_bucket_and_a_refused_turn_stores_nothing(
    replicas: Replicas, keys: Keys
):
    user, other = new_user("burst-ck"), new_user("bystander-ck")
    token = rs256(keys, user)
    assert rest_turn(replicas.url(0), user, token, "rest-1").status_code == 200
    outcomes = [
        refused_stream(
            chatkit_request(
                replicas.url(n), bearer(token), "threads.create", input=user_input("list my tasks")
            )
        )
        for n in range(BURST + 2)
    ]
    assert outcomes[: BURST - 1] == [False] * (BURST - 1), outcomes
    assert outcomes[BURST - 1 :].count(True) >= 2, outcomes
    assert thread_count(replicas.url(1), token) == 1 + outcomes.count(False)
    assert rest_turn(replicas.url(1), user, token, "rest-2").status_code == 429

    other_token = rs256(keys, other)
    created = chatkit_request(
        replicas.url(1), bearer(other_token), "threads.create", input=user_input("hi")
    )
    assert not refused_stream(created)
    assert thread_count(replicas.url(0), other_token) == 1


@pytest.fixture(scope="module")
def mcp_proxy(stack: Stack) -> Iterator[HttpProxy]:
    """mcp-server behind a proxy that can hold a tool call, so a turn stays running."""
    proxy = HttpProxy(stack.mcp.url, "security-mcp-proxy").start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def one_turn_at_a_time(stack: Stack, jwks_url: str, mcp_proxy: HttpProxy) -> Iterator[str]:
    env = {
        **auth_env(jwks_url),
        **gateway_env(stack.history, stack.mcp),
        "MCP_SERVER_URL": f"{mcp_proxy.url}/mcp",
        "CHAT_CONCURRENT_TURNS": "1",
    }
    gateway = start_service("agent_gateway.main", "security-gateway-one-turn", env)
    yield gateway.url
    gateway.stop()


def test_running_turns_are_capped_per_user_while_another_user_is_served(
    one_turn_at_a_time: str, mcp_proxy: HttpProxy, keys: Keys
):
    url = one_turn_at_a_time
    user, other = new_user("busy"), new_user("bystander-busy")
    token, other_token = rs256(keys, user), rs256(keys, other)
    hold = mcp_proxy.hold("POST", "/mcp", "add_task")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(rest_turn, url, user, token, "slow")
        assert hold.held.wait(TIMEOUT), "the first turn never called its tool"
        try:
            # The first turn is running (its tool call held): a second one of the same user is
            # refused on either face, another user's is served.
            assert_too_many(rest_turn(url, user, token, "second"))
            streamed = chatkit_request(
                url, bearer(token), "threads.create", input=user_input("list my tasks")
            )
            assert refused_stream(streamed)
            assert rest_turn(url, other, other_token, "other").status_code == 200
        finally:
            hold.release()
        assert first.result().status_code == 200
    assert rest_turn(url, user, token, "after").status_code == 200
