"""Idempotency keys: a task change sent again with the same key is answered from its record instead
of being made twice. MCP tools read the key from the call's `_meta`, REST from the Idempotency-Key
header (draft-ietf-httpapi-idempotency-key-header); both record it per user, in the change's own
transaction, so a change that fails records nothing."""

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from todo_common.db import utcnow
from todo_common.mcp_meta import IDEMPOTENCY_KEY
from todo_common.problems import Conflict, InvalidField
from todo_mcp.repository import IdempotencyRepository, delete_expired_keys

KEY_META = IDEMPOTENCY_KEY
KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
PURGE_BATCH = 500
_LOCATIONS = {KEY_META: "_meta", KEY_HEADER: "header"}
_LABELS = {KEY_META: f'_meta "{KEY_META}"', KEY_HEADER: f"{KEY_HEADER} header"}
# RFC 8941 sf-string: printable ASCII in double quotes, with \" and \\ as the only escapes.
_SF_STRING = re.compile(r'"((?:[ !#-\[\]-~]|\\["\\])*)"')
logger = logging.getLogger("todo_mcp.idempotency")


@dataclass(frozen=True)
class IdempotencyKey:
    """A valid key, and where the client sent it (`KEY_META` or `KEY_HEADER`), for error messages."""

    value: str
    source: str


class KeyProblem(InvalidField):
    """The key is unusable: invalid, or already used for a different request."""

    def __init__(self, source: str, problem: str) -> None:
        detail = f"{_LABELS[source]}: {problem}"
        super().__init__(_LOCATIONS[source], source, problem, detail=detail)


class KeyInUse(Conflict):
    """Another request with this key has not finished."""

    def __init__(self, key: IdempotencyKey) -> None:
        super().__init__(
            f"{_LABELS[key.source]}: a request with this key is still under way; retry shortly."
        )


def checked_key(value: object, source: str) -> IdempotencyKey:
    """`value` as a key sent in `source`, or KeyProblem."""
    if not isinstance(value, str):
        raise KeyProblem(source, "must be a string")
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in value):
        raise KeyProblem(source, f"must be 1-{MAX_KEY_LENGTH} printable ASCII characters")
    return IdempotencyKey(value, source)


def key_from_meta(meta: Mapping[str, object] | None) -> IdempotencyKey | None:
    """The key in an MCP request's `_meta`, if it has one."""
    if meta is None or KEY_META not in meta:
        return None
    return checked_key(meta[KEY_META], KEY_META)


def key_from_header(value: str | None) -> IdempotencyKey | None:
    """The key of an Idempotency-Key header: a structured-field string as the draft specifies
    (`"abc"` is the key abc), or, as many clients send it, the bare value."""
    if value is None:
        return None
    if value.startswith('"'):
        match = _SF_STRING.fullmatch(value)
        if match is None:
            raise KeyProblem(KEY_HEADER, "not a valid structured-field string")
        value = re.sub(r"\\(.)", r"\1", match[1])
    return checked_key(value, KEY_HEADER)


def request_hash(scope: str, *arguments: Any) -> str:
    """sha256 (hex) of a request: its scope (tool, or method and route) and validated arguments as
    canonical JSON (models as the fields the client set)."""
    values = [_canonical(value) for value in arguments]
    text = json.dumps([scope, values], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    return value.key if isinstance(value, ZoneInfo) else value


@dataclass(frozen=True)
class Outcome:
    """A change's JSON result and HTTP status (REST only); `replayed` when an earlier request's."""

    result: Any
    status_code: int | None = None
    replayed: bool = False


class IdempotencyService:
    """The user's keys: each makes its change at most once while it lasts (`ttl`)."""

    def __init__(self, session: AsyncSession, user_id: str, ttl: timedelta) -> None:
        self.keys = IdempotencyRepository(session, user_id)
        self.ttl = ttl

    async def run(
        self, key: IdempotencyKey, request_hash: str, change: Callable[[], Awaitable[Outcome]]
    ) -> Outcome:
        """`change()` and its outcome recorded under `key`; if the key already holds this request,
        its recorded outcome instead. Call it inside the change's transaction."""
        now = utcnow()
        if await self.keys.claim(key.value, request_hash, now, now + self.ttl):
            outcome = await change()
            await self.keys.record(key.value, outcome.result, outcome.status_code)
            return outcome
        recorded = await self.keys.get(key.value)
        if recorded is not None and recorded.request_hash != request_hash:
            raise KeyProblem(
                key.source, "was already used for a different request; send a new key for it"
            )
        if recorded is None or recorded.result is None:
            raise KeyInUse(key)
        return Outcome(recorded.result, recorded.status_code, replayed=True)


async def purge_expired(
    sessions: async_sessionmaker[AsyncSession], batch: int = PURGE_BATCH
) -> int:
    """Delete every expired key, `batch` rows per short transaction; returns how many."""
    total = 0
    while True:
        async with sessions() as session, session.begin():
            deleted = await delete_expired_keys(session, utcnow(), batch)
        total += deleted
        if deleted < batch:
            return total


async def _purge_every(sessions: async_sessionmaker[AsyncSession], interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await purge_expired(sessions)
        except Exception as exc:
            # The database may be briefly away; expired keys already count as absent, so the
            # purge can wait for the next round.
            logger.warning("purging expired idempotency keys failed (%r); retrying later", exc)


@contextlib.asynccontextmanager
async def purging(
    sessions: async_sessionmaker[AsyncSession], interval: float
) -> AsyncIterator[None]:
    """Purge expired keys every `interval` seconds in the background while the block runs."""
    task = asyncio.create_task(_purge_every(sessions, interval), name="purge-idempotency-keys")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
