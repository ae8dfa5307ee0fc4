"""Queries. Every read or write of a conversation goes through `owned_by`, the one place that
filters by owner and hides soft-deleted rows; messages are reached only through a conversation
that passed it, by its whole key (user_id, id): conversation ids are unique per owner only.

A chat turn's statements (appending messages, reading a page) are built once, with bound
parameters: building a statement costs SQLAlchemy more than executing it (≈ 0.4 ms each)."""

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import BindParameter, UnaryExpression
from sqlmodel import col

from history_service.cursors import ConversationKey
from history_service.models import Conversation, Message
from todo_common.db import table

# The tables' plain columns. Statements built on them skip the ORM's per-statement work (about a
# third of a write's database time); ORM entities are loaded only where the service needs them.
CONVERSATIONS = table(Conversation).c
MESSAGES = table(Message).c
# The caller's user id in statements built once; bound when they run.
OWNER: BindParameter[str] = bindparam("owner_id")


def owned_by(user_id: str | BindParameter[str]) -> ColumnElement[bool]:
    """The condition every conversation query starts from: the user's, and not deleted."""
    return and_(CONVERSATIONS.user_id == user_id, CONVERSATIONS.deleted_at.is_(None))


class ConversationRepository:
    """A user's conversations."""

    def __init__(self, session: AsyncSession, user_id: str) -> None:
        self.session = session
        self.user_id = user_id

    def is_owned(self) -> ColumnElement[bool]:
        """`owned_by` the caller."""
        return owned_by(self.user_id)

    def owned(self) -> Select[Conversation]:
        """The user's live conversations."""
        return select(Conversation).where(self.is_owned())

    async def get(self, conversation_id: str, *, for_update: bool = False) -> Conversation | None:
        """The user's live conversation with this id, if any."""
        query = self.owned().where(col(Conversation.id) == conversation_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).first()

    async def page(
        self, limit: int, after: ConversationKey | None, title_contains: str | None
    ) -> Sequence[Conversation]:
        """Up to `limit + 1` conversations, newest `updated_at` first, after the keyset `after`."""
        query = self.owned()
        if title_contains:
            query = query.where(col(Conversation.title).icontains(title_contains, autoescape=True))
        if after is not None:
            updated_at, conversation_id = after.updated_at, after.id
            query = query.where(
                or_(
                    col(Conversation.updated_at) < updated_at,
                    and_(
                        col(Conversation.updated_at) == updated_at,
                        col(Conversation.id) < conversation_id,
                    ),
                )
            )
        newest_first = (col(Conversation.updated_at).desc(), col(Conversation.id).desc())
        query = query.order_by(*newest_first).limit(limit + 1)
        return (await self.session.scalars(query)).all()

    def add(self, conversation: Conversation) -> None:
        """Stage a new conversation."""
        self.session.add(conversation)

    async def record_activity(self, conversation_id: str, changes: dict[str, object]) -> int | None:
        """Apply summary changes to the user's live conversation in one atomic UPDATE.

        Returns its `last_seq` (None when the user has no such conversation). The UPDATE checks
        ownership, locks the row until commit and takes the next sequence numbers, in one round trip.
        """
        statement = (
            update(table(Conversation))
            .where(CONVERSATIONS.id == conversation_id, self.is_owned())
            .values(**changes)
            .returning(CONVERSATIONS.last_seq)
        )
        last_seq: int | None = (await self.session.execute(statement)).scalar_one_or_none()
        return last_seq

    async def append_messages(
        self,
        conversation_id: str,
        messages: Sequence[dict[str, Any]],
        now: datetime,
        preview: str | None,
        title: str | None,
    ) -> int | None:
        """Append `messages` (id, role, content, tool_calls, meta) to the user's live conversation
        and record them on it: the count, the time, the preview (when given) and the title (when
        it has none). Returns the conversation's new `last_seq` (the messages end there), or None
        when the user has no such conversation.

        The conversation's UPDATE checks ownership, takes the sequence numbers and locks the row
        (serializing appends to one conversation) until the request's transaction commits; one
        INSERT adds every message.
        """
        params = {
            "conversation_id": conversation_id,
            "owner_id": self.user_id,
            "count": len(messages),
            "now": now,
            "preview": preview,
            "title": title,
        }
        numbered = await self.session.execute(_NUMBER_NEW_MESSAGES, params)
        last_seq: int | None = numbered.scalar_one_or_none()
        if last_seq is not None:
            first_seq = last_seq - len(messages) + 1
            rows = [
                {
                    "conversation_id": conversation_id,
                    "seq": first_seq + index,
                    "user_id": self.user_id,
                    "created_at": now,
                    **{_COLUMN_OF[key]: value for key, value in message.items()},
                }
                for index, message in enumerate(messages)
            ]
            await self.session.execute(_INSERT_MESSAGES, rows)
        return last_seq

    async def messages_page(
        self,
        conversation_id: str,
        limit: int,
        descending: bool,
        after_id: str | None,
        *,
        through_seq: int | None = None,
    ) -> Sequence[Row[Any]]:
        """Up to `limit + 1` messages of the user's live conversation, after the message `after_id`
        and, with `through_seq`, none added after the message numbered so.

        One query: empty when the conversation or the anchor is missing (the caller tells which).
        Plain rows, not ORM objects: a page is only read, and loading entities cost twice as much.
        """
        params = {
            "conversation_id": conversation_id,
            "owner_id": self.user_id,
            "after_id": after_id,
            "through_seq": through_seq,
            "limit": limit + 1,
        }
        query = _messages_page(descending, after_id is not None, through_seq is not None)
        rows: Sequence[Row[Any]] = (await self.session.execute(query, params)).all()
        return rows


# What a page of messages reads: the fields of the public message, under their public names, the
# JSON ones as the text they were stored as (served as they are, never parsed on the way out).
MESSAGE_FIELDS = (
    MESSAGES.id,
    MESSAGES.conversation_id,
    MESSAGES.role,
    MESSAGES.content,
    cast(MESSAGES.tool_calls, Text).label("tool_calls"),
    cast(MESSAGES.metadata, Text).label("metadata"),
    MESSAGES.created_at,
)
# The column each Message attribute is stored in (`meta` is the `metadata` column).
_COLUMN_OF = {key: column.name for key, column in inspect(Message).columns.items()}


_NUMBER_NEW_MESSAGES = (
    update(table(Conversation))
    .where(CONVERSATIONS.id == bindparam("conversation_id"), owned_by(OWNER))
    .values(
        last_seq=CONVERSATIONS.last_seq + bindparam("count"),
        message_count=CONVERSATIONS.message_count + bindparam("count"),
        updated_at=bindparam("now", type_=CONVERSATIONS.updated_at.type),
        last_message_preview=func.coalesce(
            bindparam("preview", type_=CONVERSATIONS.last_message_preview.type),
            CONVERSATIONS.last_message_preview,
        ),
        title=func.coalesce(
            CONVERSATIONS.title, bindparam("title", type_=CONVERSATIONS.title.type)
        ),
    )
    .returning(CONVERSATIONS.last_seq)
)
_INSERT_MESSAGES = insert(table(Message))


def _of_conversation() -> ColumnElement[bool]:
    """Messages to their conversation, by its whole key: an id alone may be another user's too."""
    return and_(
        MESSAGES.user_id == CONVERSATIONS.user_id,
        MESSAGES.conversation_id == CONVERSATIONS.id,
    )


@functools.cache
def _messages_page(descending: bool, after: bool, bounded: bool) -> Select[Any]:
    """The page query of `messages_page`, one per shape, built on first use."""
    conversation_id: BindParameter[str] = bindparam("conversation_id")
    query = (
        select(*MESSAGE_FIELDS)
        .join(table(Conversation), _of_conversation())
        .where(MESSAGES.conversation_id == conversation_id, owned_by(OWNER))
    )
    if after:
        anchor = (
            select(MESSAGES.seq)
            .where(
                MESSAGES.user_id == OWNER,
                MESSAGES.conversation_id == conversation_id,
                MESSAGES.id == bindparam("after_id"),
            )
            .scalar_subquery()
        )
        query = query.where(MESSAGES.seq < anchor if descending else MESSAGES.seq > anchor)
    if bounded:
        query = query.where(MESSAGES.seq <= bindparam("through_seq"))
    order = MESSAGES.seq.desc() if descending else MESSAGES.seq.asc()
    return query.order_by(order).limit(bindparam("limit"))


def _by_sequence(descending: bool) -> UnaryExpression[int]:
    return col(Message.seq).desc() if descending else col(Message.seq).asc()


class MessageRepository:
    """The messages of one conversation the caller owns."""

    def __init__(self, session: AsyncSession, conversation: Conversation) -> None:
        self.session = session
        self.conversation = conversation

    def _in_conversation(self) -> Select[Message]:
        return select(Message).where(
            col(Message.user_id) == self.conversation.user_id,
            col(Message.conversation_id) == self.conversation.id,
        )

    async def get(self, message_id: str) -> Message | None:
        """The message with this id in this conversation, if any."""
        query = self._in_conversation().where(col(Message.id) == message_id)
        return (await self.session.scalars(query)).first()

    async def latest(self) -> Message | None:
        """The newest message."""
        query = self._in_conversation().order_by(_by_sequence(descending=True)).limit(1)
        return (await self.session.scalars(query)).first()

    async def delete(self, message: Message) -> None:
        """Remove a message for good."""
        await self.session.delete(message)
        await self.session.flush()
