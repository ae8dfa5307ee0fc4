"""Queries. Every read or write of a conversation goes through `owned_by`, the one place that
filters by owner and hides soft-deleted rows; messages are reached only through a conversation
that passed it.

A chat turn's statements (numbering new messages, reading a page) are built once, with bound
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
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import BindParameter

from history_service.models import Conversation, Message

# The tables' plain columns. Statements built on them skip the ORM's per-statement work (about a
# third of a write's database time); ORM entities are loaded only where the service needs them.
CONVERSATIONS = Conversation.__table__.c  # type: ignore[attr-defined]
MESSAGES = Message.__table__.c  # type: ignore[attr-defined]
# The caller's user id in statements built once; bound when they run.
OWNER = bindparam("owner_id")


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

    def owned(self) -> Select[tuple[Conversation]]:
        """The user's live conversations."""
        return select(Conversation).where(self.is_owned())

    async def get(self, conversation_id: str, *, for_update: bool = False) -> Conversation | None:
        """The user's live conversation with this id, if any."""
        query = self.owned().where(Conversation.id == conversation_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).first()

    async def page(
        self, limit: int, after: tuple[datetime, str] | None, title_contains: str | None
    ) -> Sequence[Conversation]:
        """Up to `limit + 1` conversations, newest `updated_at` first, after the keyset `after`."""
        query = self.owned()
        if title_contains:
            query = query.where(Conversation.title.icontains(title_contains, autoescape=True))  # type: ignore[union-attr]
        if after is not None:
            updated_at, conversation_id = after
            query = query.where(
                or_(
                    Conversation.updated_at < updated_at,
                    and_(Conversation.updated_at == updated_at, Conversation.id < conversation_id),
                )
            )
        query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(
            limit + 1
        )  # type: ignore[attr-defined]
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
            update(Conversation.__table__)  # type: ignore[arg-type]
            .where(CONVERSATIONS.id == conversation_id, self.is_owned())
            .values(**changes)
            .returning(CONVERSATIONS.last_seq)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def number_new_messages(
        self,
        conversation_id: str,
        count: int,
        now: datetime,
        preview: str | None,
        title: str | None,
    ) -> int | None:
        """Record `count` new messages in the user's live conversation: the count, the time, the
        preview (when given) and the title (when it has none). Returns the new `last_seq`, or
        None when the user has no such conversation. The row stays locked until commit, which
        serializes the inserts into one conversation."""
        params = {
            "conversation_id": conversation_id,
            "owner_id": self.user_id,
            "count": count,
            "now": now,
            "preview": preview,
            "title": title,
        }
        return (await self.session.execute(_NUMBER_NEW_MESSAGES, params)).scalar_one_or_none()

    async def insert_messages(self, messages: list[Message]) -> None:
        """Insert messages into a conversation `number_new_messages` just found, locked and
        numbered them in. One statement, without the unit of work (they are not added to the
        session)."""
        rows = [
            {column.name: getattr(message, key) for key, column in _MESSAGE_COLUMNS}
            for message in messages
        ]
        await self.session.execute(_INSERT_MESSAGES, rows)

    async def messages_page(
        self, conversation_id: str, limit: int, descending: bool, after_id: str | None
    ) -> Sequence[Row[Any]]:
        """Up to `limit + 1` messages of the user's live conversation, after the message `after_id`.

        One query: empty when the conversation or the anchor is missing (the caller tells which).
        Plain rows, not ORM objects: a page is only read, and loading entities cost twice as much.
        """
        params = {
            "conversation_id": conversation_id,
            "owner_id": self.user_id,
            "after_id": after_id,
            "limit": limit + 1,
        }
        query = _messages_page(descending, after_id is not None)
        return (await self.session.execute(query, params)).all()


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
# Each attribute of a Message and the column it is stored in (`meta` is the `metadata` column).
_MESSAGE_COLUMNS = [
    (key, Message.__table__.c[column.name])  # type: ignore[attr-defined]
    for key, column in Message.__mapper__.columns.items()  # type: ignore[attr-defined]
]


_NUMBER_NEW_MESSAGES = (
    update(Conversation.__table__)  # type: ignore[arg-type]
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
_INSERT_MESSAGES = insert(Message.__table__)  # type: ignore[arg-type]


@functools.cache
def _messages_page(descending: bool, after: bool) -> Select[Any]:
    """The page query of `messages_page`, one per shape, built on first use."""
    conversation_id = bindparam("conversation_id")
    query = (
        select(*MESSAGE_FIELDS)
        .join(Conversation.__table__, CONVERSATIONS.id == MESSAGES.conversation_id)
        .where(MESSAGES.conversation_id == conversation_id, owned_by(OWNER))
    )
    if after:
        anchor = (
            select(MESSAGES.seq)
            .where(
                MESSAGES.conversation_id == conversation_id, MESSAGES.id == bindparam("after_id")
            )
            .scalar_subquery()
        )
        query = query.where(MESSAGES.seq < anchor if descending else MESSAGES.seq > anchor)
    order = MESSAGES.seq.desc() if descending else MESSAGES.seq.asc()
    return query.order_by(order).limit(bindparam("limit"))


def _by_sequence(descending: bool) -> Any:
    return Message.seq.desc() if descending else Message.seq.asc()  # type: ignore[attr-defined]


class MessageRepository:
    """The messages of one conversation the caller owns."""

    def __init__(self, session: AsyncSession, conversation: Conversation) -> None:
        self.session = session
        self.conversation = conversation

    def _in_conversation(self) -> Select[tuple[Message]]:
        return select(Message).where(Message.conversation_id == self.conversation.id)

    async def get(self, message_id: str) -> Message | None:
        """The message with this id in this conversation, if any."""
        query = self._in_conversation().where(Message.id == message_id)
        return (await self.session.scalars(query)).first()

    async def latest(self) -> Message | None:
        """The newest message."""
        query = self._in_conversation().order_by(_by_sequence(descending=True)).limit(1)
        return (await self.session.scalars(query)).first()

    async def delete(self, message: Message) -> None:
        """Remove a message for good."""
        await self.session.delete(message)
        await self.session.flush()
