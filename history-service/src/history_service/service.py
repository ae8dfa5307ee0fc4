"""The conversation store's rules: ownership, idempotent ids, titles, previews and counts."""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from history_service.cursors import ConversationKey
from history_service.models import Conversation, Message
from history_service.repository import (
    CONVERSATIONS,
    ConversationRepository,
    MessageRepository,
)
from history_service.schemas import (
    ConversationCreate,
    ConversationPublic,
    MessageBatch,
    MessageCreate,
    MessagePublic,
    MessageWrite,
    Page,
    Role,
)
from todo_common.cursors import Cursors
from todo_common.db import utcnow
from todo_common.ids import new_id
from todo_common.problems import Conflict, InvalidField, NotFound, PreconditionFailed

AUTO_TITLE_MAX = 50
PREVIEW_MAX = 100


def auto_title(text: str) -> str:
    """The first at most 50 characters of `text`, cut at a word boundary."""
    words = " ".join(text.split())
    if len(words) <= AUTO_TITLE_MAX:
        return words
    head = words[: AUTO_TITLE_MAX + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else words[:AUTO_TITLE_MAX]
    return cut.rstrip(" ,.;:-") or words[:AUTO_TITLE_MAX]


def preview(text: str) -> str | None:
    """At most 100 characters of `text` on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if not flat:
        return None
    return flat if len(flat) <= PREVIEW_MAX else flat[: PREVIEW_MAX - 1] + "…"


def to_public(message: Message) -> MessagePublic:
    """The wire form of a stored message."""
    return MessagePublic(
        id=message.id,
        conversation_id=message.conversation_id,
        role=Role(message.role),
        content=message.content,
        tool_calls=message.tool_calls,
        metadata=message.meta,
        created_at=message.created_at,
    )


def etag(message: Message) -> str:
    """A strong entity tag of the message's content (RFC 9110): it changes whenever that does."""
    content = [message.role, message.content, message.tool_calls, message.meta]
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode())
    return f'"{digest.hexdigest()[:32]}"'


def _matches(message: Message | None, if_match: str) -> bool:
    if message is None:
        return False
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or etag(message) in tags


def _stored_fields(data: MessageWrite) -> dict[str, Any]:
    tool_calls = (
        [call.model_dump(mode="json") for call in data.tool_calls]
        if data.tool_calls is not None
        else None
    )
    return {
        "role": data.role.value,
        "content": data.content,
        "tool_calls": tool_calls,
        "meta": data.metadata,
    }


class MessageIdTaken(Conflict):
    """The message id is already used in this conversation."""


class HistoryService:
    """What one authenticated user may do with their conversations."""

    def __init__(
        self, session: AsyncSession, user_id: str, cursors: Cursors[ConversationKey]
    ) -> None:
        self.session = session
        self.user_id = user_id
        self.conversations = ConversationRepository(session, user_id)
        self.cursors = cursors

    async def conversation(self, conversation_id: str, *, for_update: bool = False) -> Conversation:
        """The caller's live conversation, or 404 — whether it is missing, deleted or someone else's."""
        conversation = await self.conversations.get(conversation_id, for_update=for_update)
        if conversation is None:
            raise NotFound(f"Conversation {conversation_id} not found.")
        return conversation

    async def create_conversation(self, data: ConversationCreate) -> tuple[Conversation, bool]:
        """A new conversation, or the caller's existing one with that id (created=False)."""
        now = utcnow()
        conversation = Conversation(
            id=data.id or new_id("conv"),
            user_id=self.user_id,
            title=data.title,
            created_at=now,
            updated_at=now,
        )
        self.conversations.add(conversation)
        try:
            await self.session.flush()
        except IntegrityError:
            await self.session.rollback()
        else:
            return conversation, True
        # Ids are the caller's own (other users' ids never collide): this is a retry, or the id
        # of a conversation the caller deleted.
        if existing := await self.conversations.get(conversation.id):
            return existing, False
        raise Conflict(f"Conversation id {conversation.id} belongs to a deleted conversation.")

    async def list_conversations(
        self, limit: int, cursor: str | None, q: str | None
    ) -> Page[ConversationPublic]:
        """A page of the caller's conversations, newest activity first."""
        after = self.cursors.decode(cursor) if cursor else None
        rows = await self.conversations.page(limit, after, q)
        items, has_more = rows[:limit], len(rows) > limit
        next_cursor = None
        if has_more:
            last = ConversationKey(updated_at=items[-1].updated_at, id=items[-1].id)
            next_cursor = self.cursors.encode(last)
        return Page(
            items=[ConversationPublic.model_validate(row, from_attributes=True) for row in items],
            next_cursor=next_cursor,
            has_more=has_more,
        )

    async def rename_conversation(self, conversation_id: str, title: str) -> Conversation:
        """Give a conversation a new title."""
        conversation = await self.conversation(conversation_id, for_update=True)
        conversation.title = title
        conversation.updated_at = utcnow()
        await self.session.flush()
        return conversation

    async def delete_conversation(self, conversation_id: str) -> None:
        """Soft delete: the rows stay, the conversation is gone for every request."""
        conversation = await self.conversation(conversation_id, for_update=True)
        conversation.deleted_at = utcnow()
        await self.session.flush()

    async def list_messages(
        self, conversation_id: str, limit: int, descending: bool, after: str | None
    ) -> Page[Any]:
        """A page of messages in insertion order (or reversed); `after` is a message id.

        The items are rows of `MESSAGE_FIELDS` (JSON fields as stored text): see `stored_messages`.
        """
        rows = await self.conversations.messages_page(conversation_id, limit, descending, after)
        if not rows:
            await self._explain_empty_page(conversation_id, after)
        items, has_more = rows[:limit], len(rows) > limit
        return Page(items=items, next_cursor=items[-1].id if has_more else None, has_more=has_more)

    async def messages_through(self, message: Message, limit: int) -> Sequence[Row[Any]]:
        """The newest `limit` messages up to and including `message`, oldest first, as rows like
        `list_messages` gives: what a chat turn answering `message` sees, whatever other requests
        add to the conversation meanwhile."""
        conversation_id = message.conversation_id
        rows = await self.conversations.messages_page(
            conversation_id, limit, True, None, through_seq=message.seq
        )
        return rows[:limit][::-1]

    async def _explain_empty_page(self, conversation_id: str, after: str | None) -> None:
        # Empty because there is nothing more, or because the conversation or anchor is missing.
        messages = MessageRepository(self.session, await self.conversation(conversation_id))
        if after is not None and await messages.get(after) is None:
            raise InvalidField(
                "query",
                "after",
                "no such message here",
                detail=f"Message {after} is not in this conversation.",
            )

    async def get_message(self, conversation_id: str, message_id: str) -> Message:
        """One message, or 404."""
        messages = MessageRepository(self.session, await self.conversation(conversation_id))
        if (message := await messages.get(message_id)) is None:
            raise NotFound(f"Message {message_id} not found.")
        return message

    async def add_message(self, conversation_id: str, data: MessageCreate) -> tuple[Message, bool]:
        """Append a message; the same id with the same body again is a no-op (created=False)."""
        message_id = data.id or new_id("msg")
        try:
            return (await self._append(conversation_id, [(message_id, data)]))[0], True
        except MessageIdTaken:
            await self.session.rollback()
        # A retry, or a reused id: the stored message decides which.
        messages = MessageRepository(self.session, await self.conversation(conversation_id))
        existing = await messages.get(message_id)
        if existing is None or {
            k: getattr(existing, k) for k in ("role", "content", "tool_calls", "meta")
        } != _stored_fields(data):
            raise Conflict(f"Message {message_id} already exists with different content.")
        return existing, False

    async def put_message(
        self, conversation_id: str, message_id: str, data: MessageWrite, if_match: str | None = None
    ) -> tuple[Message, bool]:
        """Create the message with this id, or replace its content (created=False). With
        `if_match` (an entity tag, RFC 9110), only replace it as it was when that tag was read."""
        if if_match is None:
            try:
                return (await self._append(conversation_id, [(message_id, data)]))[0], True
            except MessageIdTaken:
                await self.session.rollback()
        return await self._upsert(conversation_id, message_id, data, if_match)

    async def put_messages(self, conversation_id: str, batch: MessageBatch) -> list[Message]:
        """Upsert several messages in order, all or nothing (a chat turn's items in one write)."""
        writes = [(message.id, message) for message in batch.messages]
        try:
            return await self._append(conversation_id, writes)
        except MessageIdTaken:
            await self.session.rollback()
        # Some already exist (a retried turn): one by one, still in this one transaction.
        return [(await self._upsert(conversation_id, mid, data))[0] for mid, data in writes]

    async def _upsert(
        self,
        conversation_id: str,
        message_id: str,
        data: MessageWrite,
        if_match: str | None = None,
    ) -> tuple[Message, bool]:
        # The conversation's row lock makes the precondition and the write one step.
        messages = MessageRepository(
            self.session, await self.conversation(conversation_id, for_update=True)
        )
        existing = await messages.get(message_id)
        if if_match is not None and not _matches(existing, if_match):
            raise PreconditionFailed(f"Message {message_id} has changed since it was read.")
        if existing is None:
            return (await self._append(conversation_id, [(message_id, data)]))[0], True
        for field, value in _stored_fields(data).items():
            setattr(existing, field, value)
        await self.session.flush()
        latest = await messages.latest()
        changes: dict[str, object] = {"updated_at": utcnow()}
        if latest is not None and latest.seq == existing.seq:
            changes["last_message_preview"] = (
                preview(existing.content) or messages.conversation.last_message_preview
            )
        await self.conversations.record_activity(conversation_id, changes)
        return existing, False

    async def delete_message(self, conversation_id: str, message_id: str) -> None:
        """Remove one message and bring the conversation's summary up to date."""
        messages = MessageRepository(
            self.session, await self.conversation(conversation_id, for_update=True)
        )
        if (message := await messages.get(message_id)) is None:
            raise NotFound(f"Message {message_id} not found.")
        await messages.delete(message)
        latest = await messages.latest()
        await self.conversations.record_activity(
            conversation_id,
            {
                "message_count": CONVERSATIONS.message_count - 1,
                "last_message_preview": preview(latest.content) if latest else None,
                "updated_at": utcnow(),
            },
        )

    async def _append(
        self, conversation_id: str, writes: Sequence[tuple[str, MessageWrite]]
    ) -> list[Message]:
        """Insert new messages (see `append_messages`); MessageIdTaken when an id is already used."""
        now = utcnow()
        previews = [text for _, data in writes if (text := preview(data.content))]
        titles = [auto_title(data.content) for _, data in writes if data.role == Role.user]
        fields = [{"id": message_id, **_stored_fields(data)} for message_id, data in writes]
        try:
            last_seq = await self.conversations.append_messages(
                conversation_id,
                fields,
                now,
                preview=previews[-1] if previews else None,
                title=titles[0] if titles else None,
            )
        except IntegrityError as exc:
            raise MessageIdTaken("A message with one of these ids already exists.") from exc
        if last_seq is None:
            raise NotFound(f"Conversation {conversation_id} not found.")
        first_seq = last_seq - len(writes) + 1
        return [
            Message(
                conversation_id=conversation_id,
                seq=first_seq + index,
                user_id=self.user_id,
                created_at=now,
                **message,
            )
            for index, message in enumerate(fields)
        ]
