"""PostgreSQL stops for ~2 s under light load and comes back: the services answer 503 + Retry-After
meanwhile (never 500), every /readyz goes red then green, and everything works again without a
restart; retried chat turns store nothing twice.

The cluster is this module's own (it gets stopped), not the session's shared one.
"""

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

import asyncpg
import httpx2
import pytest

from tests.conftest import ARTIFACTS, BASE_ENV, GENEROUS_TURN_LIMITS
from todo_testing.postgres import LocalCluster, asyncpg_url, postgres_bindir, running_cluster
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header

DOWNTIME_SECONDS = 2.0
# Far above every server-side bound (connect and pool 5 s, statements 10 s, gateway calls 10 s):
# a request that runs into it hung, which the test counts as a failure.
CLIENT_TIMEOUT_SECONDS = 30.0
TURN_PAUSE_SECONDS = 0.25  # a few chat turns per second
RETRY_PAUSE_SECONDS = 0.2  # sooner than Retry-After asks: it probes the outage more often
CHATS = ("alpha", "beta")  # two conversations, each a chat worker


@dataclass
class Stack:
    """Three service processes on one private PostgreSQL cluster."""

    cluster: LocalCluster
    history: ServiceProcess
    mcp: ServiceProcess
    gateway: ServiceProcess

    @property
    def services(self) -> dict[str, ServiceProcess]:
        return {"history-service": self.history, "mcp-server": self.mcp, "gateway": self.gateway}


async def _create_databases(admin_url: str, *names: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        for name in names:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def _start(module: str, name: str, env: dict[str, str]) -> ServiceProcess:
    log = ARTIFACTS / f"pg-restart-{name}.log"
    log.unlink(missing_ok=True)  # the log is checked for unhandled errors: this run's only
    return ServiceProcess(module, {**BASE_ENV, **env}, log).start()


@pytest.fixture(scope="module")
def pg_stack() -> Iterator[Stack]:
    """history-service, mcp-server and the gateway (offline model) on a cluster of their own."""
    if postgres_bindir() is None:
        pytest.skip("needs the local PostgreSQL binaries (pg_ctl) to stop and start a cluster")
    ARTIFACTS.mkdir(exist_ok=True)
    with running_cluster() as cluster:
        asyncio.run(_create_databases(cluster.url, "history", "tasks"))
        started: list[ServiceProcess] = []
        try:
            history = _start(
                "history_service.main",
                "history",
                {"DATABASE_URL": asyncpg_url(cluster.url, "history")},
            )
            started.append(history)
            mcp = _start(
                "todo_mcp.main", "mcp", {"DATABASE_URL": asyncpg_url(cluster.url, "tasks")}
            )
            started.append(mcp)
            gateway_env = {
                "HISTORY_SERVICE_URL": history.url,
                "MCP_SERVER_URL": f"{mcp.url}/mcp",
                "MODEL_PROVIDER": "offline",
                # An outage is the subject here, not the per-user turn limits.
                **GENEROUS_TURN_LIMITS,
            }
            gateway = _start("agent_gateway.main", "gateway", gateway_env)
            started.append(gateway)
            yield Stack(cluster, history, mcp, gateway)
        finally:
            for process in reversed(started):
                process.stop()


@dataclass
class Outcome:
    """One request the load sent, and how it ended."""

    what: str
    started: float
    status: int | None = None
    retry_after: str | None = None
    content_type: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

    @property
    def retryable_503(self) -> bool:
        return (
            self.status == 503
            and self.retry_after is not None
            and self.retry_after.isdigit()
            and self.content_type == "application/problem+json"
        )


@dataclass
class Load:
    """What the load sent and saw, shared by its tasks."""

    client: httpx2.AsyncClient
    user: str = field(default_factory=lambda: f"pg-restart-{uuid.uuid4().hex[:8]}")
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    outcomes: list[Outcome] = field(default_factory=list)
    probes: list[tuple[str, float, int | None]] = field(default_factory=list)
    turns: list[str] = field(default_factory=list)
    """The message ids of the chat turns that were sent (each retried until it succeeded)."""
    conversations: dict[str, str] = field(default_factory=dict)
    """Each chat worker's conversation id."""

    async def send(
        self, what: str, method: str, url: str, **kwargs: object
    ) -> httpx2.Response | None:
        outcome = Outcome(what, time.monotonic())
        self.outcomes.append(outcome)
        try:
            response = await self.client.request(
                method, url, headers=auth_header(self.user), **kwargs
            )  # type: ignore[arg-type]  # a plain dict where httpx2 types a Mapping of its own
        except httpx2.HTTPError as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"
            return None
        outcome.status = response.status_code
        outcome.retry_after = response.headers.get("retry-after")
        outcome.content_type = response.headers.get("content-type")
        return response

    def successes_since(self, what: str, since: float) -> int:
        return sum(1 for o in self.outcomes if o.what == what and o.ok and o.started >= since)


async def chat_turns(load: Load, gateway: str, name: str) -> None:
    """One conversation's chat turns, each with a message id and retried with the same id until
    it succeeds."""
    conversation_id: str | None = None
    number = 0
    while not load.stop.is_set():
        message_id = f"{name}-{number}"
        message = f"Add a task to buy {name} item {number}" if number % 2 else "What's pending?"
        load.turns.append(message_id)
        body = {"message": message, "message_id": message_id, "conversation_id": conversation_id}
        while True:
            response = await load.send("chat", "POST", f"{gateway}/api/{load.user}/chat", json=body)
            if response is not None and response.status_code == 200:
                break
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
        conversation_id = load.conversations[name] = response.json()["conversation_id"]
        number += 1
        await asyncio.sleep(TURN_PAUSE_SECONDS)


async def task_calls(load: Load, mcp: str) -> None:
    """The web app's task REST calls: list, add."""
    number = 0
    while not load.stop.is_set():
        number += 1
        url = f"{mcp}/api/{load.user}/tasks"
        if number % 2:
            await load.send("tasks", "GET", url, params={"limit": 5})
        else:
            await load.send("tasks", "POST", url, json={"title": f"rest task {number}"})
        await asyncio.sleep(TURN_PAUSE_SECONDS)


async def readiness(load: Load, services: dict[str, ServiceProcess]) -> None:
    """Every service's /readyz, over and over."""
    while not load.stop.is_set():
        for name, service in services.items():
            try:
                status: int | None = (
                    await load.client.get(f"{service.url}/readyz", timeout=5)
                ).status_code
            except httpx2.HTTPError:
                status = None
            load.probes.append((name, time.monotonic(), status))
        await asyncio.sleep(0.1)


async def until(condition: Callable[[], bool], within: float, what: str) -> None:
    """Wait (yielding to the load) until `condition()` holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


def last_probe(load: Load, name: str) -> int | None:
    return next((status for n, _, status in reversed(load.probes) if n == name), None)


def probes_between(load: Load, name: str, start: float, end: float) -> list[int | None]:
    return [status for n, at, status in load.probes if n == name and start <= at <= end]


@pytest.fixture
async def load() -> AsyncIterator[Load]:
    async with httpx2.AsyncClient(timeout=CLIENT_TIMEOUT_SECONDS) as client:
        yield Load(client)


async def stored_messages(load: Load, history: str, conversation_id: str) -> list[dict]:
    """Every message of the conversation, read from history-service page by page."""
    messages: list[dict] = []
    after: str | None = None
    while True:
        params = {"limit": 200, "order": "asc", **({"after": after} if after else {})}
        response = await load.client.get(
            f"{history}/api/{load.user}/conversations/{conversation_id}/messages",
            params=params,
            headers=auth_header(load.user),
        )
        assert response.status_code == 200, response.text
        page = response.json()
        messages += page["items"]
        if not (after := page.get("next_cursor")):
            return messages


async def restart_under_load(stack: Stack, load: Load, mode: str) -> tuple[float, float]:
    """Run the load, stop PostgreSQL (pg_ctl's `mode`) for a while, start it again, wait for
    recovery; the times it went down and came back."""
    workers = [
        *(asyncio.create_task(chat_turns(load, stack.gateway.url, name)) for name in CHATS),
        asyncio.create_task(task_calls(load, stack.mcp.url)),
        asyncio.create_task(readiness(load, stack.services)),
    ]

    def all_well_since(moment: float) -> bool:
        return (
            all(last_probe(load, name) == 200 for name in stack.services)
            and load.successes_since("chat", moment) >= 3
            and load.successes_since("tasks", moment) >= 3
        )

    try:
        await until(lambda: all_well_since(0), within=30, what="a healthy stack under load")
        went_down = time.monotonic()
        await asyncio.to_thread(stack.cluster.stop, mode)
        await asyncio.sleep(DOWNTIME_SECONDS)  # the outage itself
        await until(
            lambda: all(last_probe(load, name) == 503 for name in stack.services),
            within=15,
            what="every /readyz to go red",
        )
        await asyncio.to_thread(stack.cluster.start)
        came_back = time.monotonic()
        await until(lambda: all_well_since(came_back), within=30, what="recovery")
    finally:
        load.stop.set()
        finished = await asyncio.wait_for(
            asyncio.gather(*workers, return_exceptions=True), timeout=60
        )
    assert [result for result in finished if isinstance(result, BaseException)] == []
    return went_down, came_back


async def assert_nothing_stored_twice(stack: Stack, load: Load) -> None:
    """Every message id once in history, every turn's user message there; no task added twice."""
    messages = [
        message
        for conversation_id in load.conversations.values()
        for message in await stored_messages(load, stack.history.url, conversation_id)
    ]
    assert [i for i, n in Counter(m["id"] for m in messages).items() if n > 1] == []
    assert sorted(m["id"] for m in messages if m["role"] == "user") == sorted(load.turns)
    tasks = await load.client.get(
        f"{stack.mcp.url}/api/{load.user}/tasks",
        params={"limit": 100, "search": "item"},
        headers=auth_header(load.user),
    )
    titles = Counter(task["title"] for task in tasks.json()["tasks"])
    assert [title for title, n in titles.items() if n > 1] == []


# fast: a clean shutdown that ends every session; immediate: a crash, recovered from the WAL.
@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_a_postgres_restart_is_ridden_out_without_500s_or_restarts(
    pg_stack: Stack, load: Load, mode: str
) -> None:
    went_down, came_back = await restart_under_load(pg_stack, load, mode)

    failures = [o for o in load.outcomes if not o.ok]
    assert failures, "no request saw the outage"
    assert [o for o in failures if not o.retryable_503] == []
    assert [o for o in failures if o.started < went_down] == []
    assert [o for o in failures if o.started > came_back] == [], "a stale connection was used"
    for name in pg_stack.services:
        assert 503 in probes_between(load, name, went_down, came_back), name
    await assert_nothing_stored_twice(pg_stack, load)
    for service in (pg_stack.history, pg_stack.mcp):
        assert "unhandled error" not in service.logs()
        assert "database unavailable" in service.logs()
