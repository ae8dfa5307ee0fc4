"""A retrying chat client: the same message_id again after any error, until a 200 or a deadline."""

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp

from todo_testing.tokens import auth_header

Action = Literal["add", "list", "complete", "delete", "other"]
REQUEST_TIMEOUT = 20.0
TURN_DEADLINE = 120.0
BACKOFF_FIRST, BACKOFF_MAX = 0.05, 1.0


@dataclass
class Turn:
    """One user message, what it asks for, and what became of it."""

    message_id: str
    message: str
    action: Action
    title: str | None = None
    """add: the title it creates; complete/delete: the title of the task it names."""
    task_id: int | None = None
    expect_listed: list[str] = field(default_factory=list)
    """list: every title the listing must show (the user's tasks at that moment)."""
    expect_absent: list[str] = field(default_factory=list)
    """list: titles deleted earlier, which it must not show."""
    ack: dict[str, Any] | None = None
    """The 200 body, once a request for this turn succeeded."""
    failures: list[str] = field(default_factory=list)
    """What each failed attempt saw (a status and detail, or an exception's name)."""

    @property
    def acknowledged(self) -> bool:
        """Whether some attempt got a 200."""
        return self.ack is not None


def chat_body(turn: Turn, conversation_id: str | None = None) -> dict[str, Any]:
    """The request body of `turn`."""
    body: dict[str, Any] = {"message": turn.message, "message_id": turn.message_id}
    if conversation_id:
        body["conversation_id"] = conversation_id
    return body


def add_turn(message_id: str, title_words: str) -> Turn:
    """'Add a task to buy <words>': the offline model names it 'Buy <words>'."""
    return Turn(message_id, f"Add a task to buy {title_words}", "add", title=f"Buy {title_words}")


class TurnLost(Exception):
    """No attempt succeeded before the deadline, or the gateway refused the turn for good."""


@dataclass(frozen=True)
class Attempt:
    """What one request got: a status and body, or (status None) what went wrong."""

    status: int | None
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    """Response headers, names in lower case."""

    def describe(self) -> str:
        """The status and the start of the body, or the failure."""
        return f"{self.status} {self.text[:300]}" if self.status else self.text

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.text)


class ChatClient:
    """POST /api/{user}/chat for one user, retrying each turn with its own message_id."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        user: str,
        *,
        rng: random.Random | None = None,
        retries: bool = True,
        deadline: float = TURN_DEADLINE,
    ) -> None:
        self.session = session
        self.url = f"{base_url}/api/{user}/chat"
        self.user = user
        self.headers = auth_header(user)
        self.rng = rng or random.Random(0)
        self.retries = retries
        self.deadline = deadline

    async def send(self, turn: Turn, conversation_id: str | None = None) -> dict[str, Any]:
        """Deliver `turn` (retrying on any error, 5xx, 409 or timeout); its 200 body. A turn that
        asks first (a delete) is confirmed the same way, and the confirmation's body is its ack."""
        give_up = time.monotonic() + self.deadline
        answer = await self._deliver(turn, self.url, chat_body(turn, conversation_id), give_up)
        if pending := answer.get("pending_approval"):
            decision_url = f"{self.url}/approvals/{pending['id']}"
            answer = await self._deliver(turn, decision_url, {"decision": "approve"}, give_up)
        turn.ack = answer
        return answer

    async def _deliver(
        self, turn: Turn, url: str, body: dict[str, Any], give_up: float
    ) -> dict[str, Any]:
        backoff = BACKOFF_FIRST
        while True:
            attempt = await self.attempt(body, url)
            if attempt.status == 200:
                answer: dict[str, Any] = json.loads(attempt.text)
                return answer
            turn.failures.append(attempt.describe())
            if not self.retries or not _retryable(attempt.status):
                raise TurnLost(f"{turn.message_id}: {turn.failures[-1]}")
            pause = backoff * self.rng.uniform(0.5, 1.5)
            if time.monotonic() + pause > give_up:
                raise TurnLost(f"{turn.message_id}: gave up after {len(turn.failures)} failures")
            await asyncio.sleep(pause)
            backoff = min(backoff * 2, BACKOFF_MAX)

    async def attempt(self, body: dict[str, Any], url: str | None = None) -> Attempt:
        """One request (to the chat endpoint unless `url` says otherwise), never retried."""
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                async with self.session.post(
                    url or self.url, json=body, headers=self.headers
                ) as response:
                    headers = {k.lower(): v for k, v in response.headers.items()}
                    return Attempt(response.status, await response.text(), headers)
        except TimeoutError:
            return Attempt(None, "timeout")
        except aiohttp.ClientError as exc:
            return Attempt(None, type(exc).__name__)


def failure_kinds(turns: Iterable[Turn]) -> Counter[str]:
    """How often each kind of failure (a status, or an exception's name) made a client retry."""
    return Counter(failure.split(" ", 1)[0] for turn in turns for failure in turn.failures)


def _retryable(status: int | None) -> bool:
    return status is None or status >= 500 or status in (408, 409, 425, 429)
