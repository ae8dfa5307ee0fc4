"""history-service over HTTP, as the caller: the message models the gateway reads and writes, and
the client that sends them with the caller's own token.

All of the gateway's own HTTP (to history-service, and the readiness checks) runs on one aiohttp
session, made by `open_http_session`: every turn makes several requests here, and httpx's pool
checks each of its idle connections with a system call on every request.
"""

import json as jsonlib
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import aiohttp
from pydantic import BaseModel, field_validator
from yarl import URL

from agent_gateway.metrics import HISTORY_SECONDS
from agent_gateway.schemas import Decision
from todo_common import jsontext
from todo_common.auth import Principal
from todo_common.ids import ID_PATTERN
from todo_common.json_values import check_json
from todo_common.problems import (
    BadGateway,
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    ProblemError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from todo_common.request_id import REQUEST_ID_HEADER, current_request_id
from todo_common.tracing import inject_trace_context

logger = logging.getLogger(__name__)
Role = Literal["user", "assistant", "tool", "system"]
HTTP_CONNECTIONS = 64
STALE_CONNECTION = (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectionResetError)
_ID = re.compile(ID_PATTERN)


def _id(value: str) -> str:
    """An id as one path segment. Only an id of the id pattern can name a conversation or message
    (anything else is NotFound, without asking): no `/`, `..`, `%2F` or NUL reaches a path."""
    if not _ID.fullmatch(value):
        raise NotFound("The conversation or message does not exist.")
    return quote(value, safe="")


def _segment(value: str) -> str:
    """Any text as one path segment, every reserved character escaped; a `.` or `..` segment
    too, which URL libraries would otherwise resolve away."""
    quoted = quote(value, safe="")
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted


class Conversation(BaseModel):
    """A conversation as history-service returns it."""

    id: str
    title: str | None = None
    created_at: datetime
    updated_at: datetime
    message_count: int = 0
    last_message_preview: str | None = None


class StoredToolCall(BaseModel):
    """One tool call kept in a message's `tool_calls`."""

    id: str
    name: str
    arguments: dict[str, Any] | str | None = None
    result: Any = None
    status: Literal["ok", "error"] = "ok"
    duration_ms: float | None = None

    @field_validator("arguments", "result")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        # The model chooses the arguments, so they may hold what history-service cannot store
        # (a NUL, an integer beyond 64 bits, deep nesting): kept then as their JSON text, every
        # non-ASCII character escaped, so that the call is still recorded as it was made.
        try:
            return check_json(value)
        except ValueError:
            return jsonlib.dumps(value)


class MessageWrite(BaseModel):
    """A message as the gateway writes it."""

    id: str
    role: Role
    content: str
    tool_calls: list[StoredToolCall] | None = None
    metadata: dict[str, Any] | None = None


class Message(MessageWrite):
    """A message as history-service returns it."""

    conversation_id: str
    created_at: datetime
    etag: str | None = None
    """Its entity tag, where the response carried one (for a conditional `put_message`)."""

    def with_metadata(self, metadata: dict[str, Any]) -> MessageWrite:
        """This message, to be written back with other metadata."""
        return MessageWrite(
            id=self.id,
            role=self.role,
            content=self.content,
            tool_calls=self.tool_calls,
            metadata=metadata,
        )


class ConversationPage(BaseModel):
    """One page of conversations."""

    items: list[Conversation]
    next_cursor: str | None = None
    has_more: bool = False


class MessagePage(BaseModel):
    """One page of messages."""

    items: list[Message]
    next_cursor: str | None = None
    has_more: bool = False


class TurnSlot(BaseModel):
    """An admitted chat turn (see limits.py)."""

    id: str
    expires_at: datetime


class ApprovalWrite(BaseModel):
    """A paused run to park in history-service until its user decides (see approvals.py)."""

    conversation_id: str
    message_id: str
    tool: str
    arguments: dict[str, Any]
    summary: str
    state: str
    ttl_seconds: int


class Approval(ApprovalWrite):
    """A parked run as history-service returns it."""

    id: str
    ttl_seconds: int = 0
    decision: Decision | None = None
    outcome: dict[str, Any] | None = None
    expires_at: datetime


class ApprovalDecided(BaseModel):
    """The approval after a decision; `first` only for the request that recorded it."""

    approval: Approval
    first: bool


class Gone(ProblemError):
    """The thing asked about existed but is no longer usable (an expired approval)."""

    status = 410


class _Appended(BaseModel):
    recent: list[Message]


@asynccontextmanager
async def open_http_session(timeout_seconds: float) -> AsyncIterator[aiohttp.ClientSession]:
    """The process's one HTTP session (opened in the app's lifespan)."""
    connector = aiohttp.TCPConnector(limit=HTTP_CONNECTIONS)
    timeout = aiohttp.ClientTimeout(total=timeout_seconds)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, json_serialize=jsontext.dumps
    ) as http:
        yield http


async def service_ready(http: aiohttp.ClientSession, url: str, timeout_seconds: float) -> None:
    """Raise unless `url` (a service's /readyz) answers 2xx within `timeout_seconds`."""
    timeout = aiohttp.ClientTimeout(total=timeout_seconds)
    async with http.get(url, timeout=timeout) as response:
        response.raise_for_status()


class HistoryClient:
    """history-service at `base_url`, over the process's one shared HTTP session."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    async def create_conversation(
        self, caller: Principal, conversation_id: str, title: str | None = None
    ) -> Conversation:
        """Create (or, for the same id again, fetch) a conversation."""
        body: dict[str, Any] = {"id": conversation_id}
        if title:
            body["title"] = title
        return Conversation.model_validate_json(
            await self._send(caller, "POST", "/conversations", json=body)
        )

    async def get_conversation(self, caller: Principal, conversation_id: str) -> Conversation:
        """One conversation; NotFound when missing, deleted or someone else's."""
        return Conversation.model_validate_json(
            await self._send(caller, "GET", f"/conversations/{_id(conversation_id)}")
        )

    async def list_conversations(
        self, caller: Principal, limit: int, cursor: str | None
    ) -> ConversationPage:
        """The caller's conversations, newest first."""
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return ConversationPage.model_validate_json(
            await self._send(caller, "GET", "/conversations", params=params)
        )

    async def rename_conversation(
        self, caller: Principal, conversation_id: str, title: str
    ) -> Conversation:
        """Give a conversation a new title."""
        data = await self._send(
            caller, "PATCH", f"/conversations/{_id(conversation_id)}", json={"title": title}
        )
        return Conversation.model_validate_json(data)

    async def delete_conversation(self, caller: Principal, conversation_id: str) -> None:
        """Soft-delete a conversation."""
        await self._send(caller, "DELETE", f"/conversations/{_id(conversation_id)}")

    async def list_messages(
        self,
        caller: Principal,
        conversation_id: str,
        *,
        limit: int,
        order: Literal["asc", "desc"],
        after: str | None = None,
    ) -> MessagePage:
        """A page of messages in insertion order (`asc`) or newest first (`desc`)."""
        params: dict[str, Any] = {"limit": limit, "order": order}
        if after:
            params["after"] = after
        path = f"/conversations/{_id(conversation_id)}/messages"
        return MessagePage.model_validate_json(await self._send(caller, "GET", path, params=params))

    async def get_message(
        self, caller: Principal, conversation_id: str, message_id: str
    ) -> Message | None:
        """One message, or None when the conversation has no message with that id."""
        try:
            path = f"/conversations/{_id(conversation_id)}/messages/{_id(message_id)}"
            body, etag = await self._exchange(caller, "GET", path)
        except NotFound:
            return None
        return Message.model_validate_json(body).model_copy(update={"etag": etag})

    async def add_message(
        self, caller: Principal, conversation_id: str, message: MessageWrite
    ) -> None:
        """Append a message; the same id and body again is a harmless retry."""
        path = f"/conversations/{_id(conversation_id)}/messages"
        body = message.model_dump(mode="json", exclude_none=True)
        await self._send(caller, "POST", path, json=body)

    async def append_message(
        self, caller: Principal, conversation_id: str, message: MessageWrite, *, recent: int
    ) -> list[Message]:
        """Append a message (as `add_message`) and return the newest `recent` messages up to and
        including it (the last one, with its `etag`), oldest first: one round trip where a turn
        would otherwise make two."""
        path = f"/conversations/{_id(conversation_id)}/messages:append"
        body = message.model_dump(mode="json", exclude_none=True)
        data, etag = await self._exchange(
            caller, "POST", path, json=body, params={"recent": recent}
        )
        recent_messages = _Appended.model_validate_json(data).recent
        recent_messages[-1] = recent_messages[-1].model_copy(update={"etag": etag})
        return recent_messages

    async def put_message(
        self,
        caller: Principal,
        conversation_id: str,
        message: MessageWrite,
        *,
        if_match: str | None = None,
    ) -> str | None:
        """Insert or replace the message with this id; with `if_match`, replace it only as it
        was when read (PreconditionFailed otherwise). Its new `etag`."""
        path = f"/conversations/{_id(conversation_id)}/messages/{_id(message.id)}"
        body = message.model_dump(mode="json", exclude_none=True, exclude={"id"})
        headers = {"If-Match": if_match} if if_match else None
        _body, etag = await self._exchange(caller, "PUT", path, json=body, headers=headers)
        return etag

    async def delete_message(
        self, caller: Principal, conversation_id: str, message_id: str
    ) -> None:
        """Remove one message."""
        await self._send(
            caller, "DELETE", f"/conversations/{_id(conversation_id)}/messages/{_id(message_id)}"
        )

    async def claim_turn_slot(self, caller: Principal, policy: dict[str, int]) -> TurnSlot:
        """Admit one chat turn of the caller under `policy`; TooManyRequests when refused."""
        data = await self._send(caller, "POST", "/turn-slots", json=policy)
        return TurnSlot.model_validate_json(data)

    async def release_turn_slot(self, caller: Principal, slot_id: str) -> None:
        """End a turn's slot; NotFound when it is gone already (released, or expired)."""
        await self._send(caller, "DELETE", f"/turn-slots/{_id(slot_id)}")

    async def create_approval(self, caller: Principal, approval: ApprovalWrite) -> Approval:
        """Park a paused run until the caller decides."""
        data = await self._send(caller, "POST", "/approvals", json=approval.model_dump())
        return Approval.model_validate_json(data)

    async def get_approval(self, caller: Principal, approval_id: str) -> Approval:
        """One of the caller's approvals; NotFound for an unknown id or another user's."""
        data = await self._send(caller, "GET", f"/approvals/{_id(approval_id)}")
        return Approval.model_validate_json(data)

    async def decide_approval(
        self, caller: Principal, approval_id: str, decision: str
    ) -> ApprovalDecided:
        """Record the caller's decision once; NotFound, Conflict (decided otherwise), Gone."""
        path = f"/approvals/{_id(approval_id)}/decision"
        data = await self._send(caller, "POST", path, json={"decision": decision})
        return ApprovalDecided.model_validate_json(data)

    async def record_approval_outcome(
        self, caller: Principal, approval_id: str, outcome: dict[str, Any]
    ) -> None:
        """Keep the resumed turn's answer for a retried decision."""
        path = f"/approvals/{_id(approval_id)}/outcome"
        await self._send(caller, "PUT", path, json={"outcome": outcome})

    async def _send(self, caller: Principal, method: str, path: str, **options: Any) -> bytes:
        """The response body of a successful request (see `_exchange`)."""
        body, _etag = await self._exchange(caller, method, path, **options)
        return body

    async def _exchange(
        self,
        caller: Principal,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[bytes, str | None]:
        """The body and `ETag` of a successful request; a problem becomes our typed error."""
        headers = {**(headers or {}), "Authorization": f"Bearer {caller.token}"}
        if request_id := current_request_id():
            headers[REQUEST_ID_HEADER] = request_id
        inject_trace_context(headers)
        # Encoded as built: the URL library re-quoting it could undo the escapes above.
        url = URL(f"{self.base_url}/api/{_segment(caller.user_id)}{path}", encoded=True)
        started, outcome = time.perf_counter(), "unavailable"
        try:
            for attempt in range(2):
                try:
                    async with self.http.request(
                        method, url, json=json, params=params, headers=headers
                    ) as response:
                        status, body = response.status, await response.read()
                        etag = response.headers.get("ETag")
                    break
                except STALE_CONNECTION:
                    # A pooled connection history-service closed (it restarted): every request
                    # here is safe to repeat (ids make writes idempotent), so once, on a new one.
                    if attempt:
                        raise
            outcome = "ok" if status < 400 else str(status)
        except TimeoutError as exc:
            raise ServiceUnavailable("The conversation history service timed out.") from exc
        except aiohttp.ClientError as exc:
            raise ServiceUnavailable("The conversation history service is unavailable.") from exc
        finally:
            HISTORY_SECONDS.labels(method, outcome).observe(time.perf_counter() - started)
        if status >= 400:
            raise _problem_for(status, body)
        return body, etag


def _problem_for(status: int, raw: bytes) -> ProblemError:
    """Map a history-service error to the gateway's own typed error."""
    try:
        body = jsonlib.loads(raw)
    except ValueError:
        body = {}
    detail = body.get("detail") if isinstance(body, dict) else None
    if status == 404:
        return NotFound("The conversation or message does not exist.")
    if status == 409:
        return Conflict(detail or "That id is already used for something else.")
    if status == 422:
        errors = [FieldError.model_validate(e) for e in body.get("errors") or []]
        return InvalidInput(detail, errors=errors or None)
    if status == 401:
        return Unauthorized("The conversation history service refused the token.")
    if status == 403:
        return Forbidden(detail)
    if status == 410:
        return Gone(detail)
    if status == 412:
        return PreconditionFailed(detail)
    if status == 429 and isinstance(body, dict):
        retry_after = body.get("retry_after")
        return TooManyRequests(
            str(detail or "Too many requests."),
            retry_after=retry_after if isinstance(retry_after, int) else 1,
            reason=str(body.get("reason") or "rate"),
        )
    if status == 503:
        return ServiceUnavailable("The conversation history service is unavailable.")
    logger.warning("history-service answered %s: %s", status, detail)
    return BadGateway("The conversation history service failed.")
