"""Per-user limits on chat turns: a token bucket (CHAT_TURNS_PER_MINUTE, CHAT_TURN_BURST) and a cap
on turns running at once (CHAT_CONCURRENT_TURNS), the same for REST and ChatKit turns.

Their state lives in history-service, which checks a claim against both atomically, so every
gateway replica shares one bucket and one count per user; this process keeps nothing. Each turn
claims a slot before anything of it is stored or the model is called, and releases it when it
ends. A slot not released (its gateway died) expires after the turn deadline and a margin.

A retry of a turn (the same REST `message_id`, ChatKit's retry) is a new claim: it counts again.
"""

import logging
import math
from types import TracebackType

import anyio

from agent_gateway.history_client import HistoryClient, TurnSlot
from agent_gateway.settings import Settings
from todo_common.auth import Principal
from todo_common.problems import ProblemError, TooManyRequests

logger = logging.getLogger(__name__)
SLOT_MARGIN_SECONDS = 30
"""How long a slot outlives the turn deadline: time for the turn's last writes and the release."""


def turn_policy(settings: Settings) -> dict[str, int]:
    """The limits a claim is checked against, as history-service takes them."""
    return {
        "burst": settings.chat_turn_burst,
        "per_minute": settings.chat_turns_per_minute,
        "concurrent": settings.chat_concurrent_turns,
        "hold_seconds": math.ceil(settings.turn_deadline_seconds) + SLOT_MARGIN_SECONDS,
    }


def refusal_message(refused: TooManyRequests) -> str:
    """What a ChatKit user reads when a limit refuses their message (it was not stored)."""
    if refused.reason == "concurrency":
        return (
            "Too many replies in progress — wait for one to finish, "
            f"then try again in {refused.retry_after} s."
        )
    return f"Too many messages — try again in {refused.retry_after} s."


class TurnAdmission:
    """One admitted turn's slot. `release` lets it go once; as an async context manager it is
    released when the block ends, however it ends."""

    def __init__(self, history: HistoryClient, caller: Principal, slot: TurnSlot) -> None:
        self.history = history
        self.caller = caller
        self.slot = slot
        self._released = False

    async def release(self) -> None:
        """Free the slot. Shielded: a cancelled request (the client went away) still frees it."""
        if self._released:
            return
        self._released = True
        with anyio.CancelScope(shield=True):
            try:
                await self.history.release_turn_slot(self.caller, self.slot.id)
            except ProblemError as error:  # it expires by itself
                logger.warning("could not release turn slot %s: %s", self.slot.id, error)

    async def __aenter__(self) -> "TurnAdmission":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.release()


async def admit_turn(
    history: HistoryClient, settings: Settings, caller: Principal
) -> TurnAdmission:
    """Claim a slot for one turn of `caller`: TooManyRequests (429, `Retry-After`) when the rate
    or the concurrency limit refuses it."""
    slot = await history.claim_turn_slot(caller, turn_policy(settings))
    return TurnAdmission(history, caller, slot)
