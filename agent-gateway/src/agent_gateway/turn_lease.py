"""Who is answering a user message right now: a lease kept in the message's own metadata.

A second request for a message whose turn is still running (an impatient retry, on any replica)
gets 409 with `Retry-After` instead of running the turn a second time. The lease is short and
renewed while the turn runs, so the retry of a turn whose gateway died goes through soon after.
Taking it over is a compare-and-set (`If-Match`), so two requests never both win.
"""

import asyncio
import contextlib
import logging
import math
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import anyio

from agent_gateway.history_client import HistoryClient, Message
from todo_common.auth import Principal
from todo_common.db import utcnow
from todo_common.problems import Conflict, PreconditionFailed, ProblemError

logger = logging.getLogger(__name__)
LEASE_KEY = "turn_lease"


class TurnInProgress(Conflict):
    """Another request is answering this message right now: retry after it to get its answer."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            "This message is being answered by another request. Retry shortly to get the answer."
        )
        self.headers = {"Retry-After": str(max(1, math.ceil(retry_after)))}


def new_lease(holder: str, seconds: float) -> dict[str, str]:
    """The metadata entry saying `holder` answers the message for the next `seconds`."""
    return {"holder": holder, "until": (utcnow() + timedelta(seconds=seconds)).isoformat()}


class TurnLease:
    """The lease on a stored user message, held while used as an async context manager."""

    def __init__(
        self,
        history: HistoryClient,
        caller: Principal,
        message: Message,
        holder: str,
        seconds: float,
    ) -> None:
        self.history = history
        self.caller = caller
        self.message = message
        self.holder = holder
        self.seconds = seconds
        self._etag = message.etag
        self._renewing: asyncio.Task[None] | None = None

    async def take(self) -> "TurnLease":
        """Hold the lease (already ours when this request stored the message with it);
        TurnInProgress while another request holds it."""
        current = (self.message.metadata or {}).get(LEASE_KEY) or {}
        if current.get("holder") == self.holder:
            return self
        remaining = _remaining(current)
        if remaining > 0:
            raise TurnInProgress(remaining)
        try:
            await self._write(new_lease(self.holder, self.seconds))
        except PreconditionFailed as exc:  # someone else took it (or changed it) first
            raise TurnInProgress(self.seconds) from exc
        return self

    async def __aenter__(self) -> "TurnLease":
        self._renewing = asyncio.create_task(self._renew())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing
        # Shielded: a cancelled request (the client went away) still lets the message go.
        with anyio.CancelScope(shield=True):
            try:
                await self._write(None)
            except ProblemError as error:  # it expires by itself
                logger.warning("could not release the turn lease: %s", error)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.seconds / 3)
            try:
                await self._write(new_lease(self.holder, self.seconds))
            except ProblemError as error:
                logger.warning("could not renew the turn lease: %s", error)
                return

    async def _write(self, lease: dict[str, str] | None) -> None:
        metadata: dict[str, Any] = dict(self.message.metadata or {})
        metadata.pop(LEASE_KEY, None)
        if lease is not None:
            metadata[LEASE_KEY] = lease
        message = self.message
        self._etag = await self.history.put_message(
            self.caller,
            message.conversation_id,
            message.with_metadata(metadata),
            if_match=self._etag or "*",
        )
        self.message = message.model_copy(update={"metadata": metadata, "etag": self._etag})


def _remaining(lease: dict[str, Any]) -> float:
    try:
        until = datetime.fromisoformat(str(lease.get("until")))
    except ValueError:
        return 0.0
    return (until - utcnow()).total_seconds()
