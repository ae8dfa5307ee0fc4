"""Turn admission: the limits on a user's chat turns, kept here so that every gateway replica
shares them. A gateway claims a slot before it runs a turn and releases it when the turn ends.

A claim is admitted only if both hold, checked and recorded in one transaction under a lock on
the user's bucket row, so concurrent claims from any number of replicas never exceed either:
- the rate: a token bucket (`burst` turns at once, refilled at `per_minute`), kept as GCRA — a
  single timestamp, `full_at`, the moment the bucket would be full again;
- the concurrency: fewer than `concurrent` open slots. A slot expires by itself after
  `hold_seconds`, so a gateway that dies mid-turn does not keep it forever.

The policy comes from the gateway's configuration with every claim; this service only bounds it.
"""

import math
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from history_service.models import TurnBucket, TurnSlot
from todo_common.db import table, utcnow
from todo_common.ids import new_id
from todo_common.problems import NotFound, TooManyRequests

BUCKETS = table(TurnBucket).c
SLOTS = table(TurnSlot).c
CONCURRENCY_RETRY_MAX = 5
"""Seconds a turn refused for concurrency is told to wait at most: open turns end at any moment."""

Reason = Literal["rate", "concurrency"]


class TurnPolicy(BaseModel):
    """The limits a claim is checked against (the gateway's configuration)."""

    model_config = ConfigDict(extra="forbid")
    burst: Annotated[int, Field(strict=True, ge=1, le=10_000)] = Field(
        description="The bucket's capacity: how many turns may start at once after a quiet spell."
    )
    per_minute: Annotated[int, Field(strict=True, ge=1, le=100_000)] = Field(
        description="How many turns a minute the bucket refills."
    )
    concurrent: Annotated[int, Field(strict=True, ge=1, le=1_000)] = Field(
        description="How many turns the user may have open at once."
    )
    hold_seconds: Annotated[int, Field(strict=True, ge=1, le=86_400)] = Field(
        description="How long a slot lasts unless released (the turn's deadline and a margin)."
    )


class TurnSlotPublic(BaseModel):
    """An admitted turn: release it by `id` when the turn ends."""

    id: str
    expires_at: datetime


class TurnRefused(TooManyRequests):
    """The claim is refused: `reason` says which limit, `Retry-After` when to try again."""

    def __init__(self, reason: Reason, retry_after: int) -> None:
        detail = {
            "rate": "Too many chat turns: the per-user rate limit is reached.",
            "concurrency": "Too many chat turns at once: the per-user concurrency limit is reached.",
        }[reason]
        super().__init__(detail, retry_after=retry_after, reason=reason)


class TurnSlots:
    """One user's turn slots, in the request's transaction."""

    def __init__(self, session: AsyncSession, user_id: str) -> None:
        self.session = session
        self.user_id = user_id

    async def claim(self, policy: TurnPolicy) -> TurnSlot:
        """Admit one turn, or raise TurnRefused (nothing is recorded then)."""
        stored = await self._lock_bucket(utcnow())
        # Counted from when the lock was granted: a claim that waited for another's commit must not
        # count from before that one's time (it would be told to wait longer than one interval).
        now = utcnow()
        full_at = max(stored, now)
        open_until = await self._open_slots(now)
        if len(open_until) >= policy.concurrent:
            wait = (min(open_until) - now).total_seconds()
            raise TurnRefused("concurrency", min(CONCURRENCY_RETRY_MAX, math.ceil(wait)))
        # Whole microseconds keep the bucket's arithmetic exact.
        interval = timedelta(microseconds=round(60_000_000 / policy.per_minute))
        full_at += interval
        ahead = (full_at - now) - policy.burst * interval
        if ahead > timedelta(0):
            raise TurnRefused("rate", math.ceil(ahead.total_seconds()))
        slot = TurnSlot(
            id=new_id("slot"),
            user_id=self.user_id,
            created_at=now,
            expires_at=now + timedelta(seconds=policy.hold_seconds),
        )
        await self.session.execute(
            update(TurnBucket).where(BUCKETS.user_id == self.user_id).values(full_at=full_at)
        )
        self.session.add(slot)
        await self.session.flush()
        return slot

    async def release(self, slot_id: str) -> None:
        """End the caller's open slot; NotFound when they hold none with this id (released,
        expired, never made, or someone else's)."""
        released = await self.session.execute(
            delete(TurnSlot)
            .where(
                SLOTS.id == slot_id,
                SLOTS.user_id == self.user_id,
                SLOTS.expires_at > utcnow(),
            )
            .returning(SLOTS.id)
        )
        if released.first() is None:
            raise NotFound(f"Turn slot {slot_id} not found.")

    async def _lock_bucket(self, now: datetime) -> datetime:
        """The bucket's `full_at`, its row locked until the transaction ends (made full if new).

        The insert comes first even when the row exists: on SQLite it takes the write lock, which
        makes the reads after it consistent; on PostgreSQL the row lock does."""
        insert = postgresql.insert if self._dialect() == "postgresql" else sqlite.insert
        await self.session.execute(
            insert(TurnBucket)
            .values(user_id=self.user_id, full_at=now)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        locked = await self.session.execute(
            select(BUCKETS.full_at).where(BUCKETS.user_id == self.user_id).with_for_update()
        )
        full_at: datetime = locked.scalar_one()
        return full_at

    async def _open_slots(self, now: datetime) -> list[datetime]:
        """When each of the user's open slots expires; expired ones are deleted on the way."""
        await self.session.execute(
            delete(TurnSlot).where(SLOTS.user_id == self.user_id, SLOTS.expires_at <= now)
        )
        rows = await self.session.execute(
            select(SLOTS.expires_at).where(SLOTS.user_id == self.user_id)
        )
        return list(rows.scalars())

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name
