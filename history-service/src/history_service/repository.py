"""Queries. Every read or write of a conversation goes through `ConversationRepository.is_owned`,
the one place that filters by owner and hides soft-deleted rows; messages are reached only
through a conversation that passed it."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from history_service.models import Conversation, Message


class ConversationRepository:
    """A user's conversations."""

    def __init__(self, session: AsyncSession, user_id: str) -> None:
        self.session = session
        self.user_id = user_id

    def is_owned(self) -> ColumnElement[bool]:
        """The condition every conversation query starts from: the user's, and not deleted."""
        return and_(
            Conversation.user_id == self.user_id,
            Conversation.deleted_at.is_(None),  # type: ignore[union-attr]
        )

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
            update(Conversation)
            .where(Conversation.id == conversation_id, self.is_owned())
            .values(**changes)
            .returning(Conversation.last_seq)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def insert_messages(self, rows: list[dict[str, Any]]) -> None:
        """Insert messages (attribute names as keys) into a conversation `record_activity` just
        found, locked and numbered them in. One statement, without the unit of work."""
        await self.session.execute(insert(Message), rows)

    async def messages_page(
        self, conversation_id: str, limit: int, descending: bool, after_id: str | None
    ) -> Sequence[Row[Any]]:
        """Up to `limit + 1` messages of the user's live conversation, after the message `after_id`.

        One query: empty when the conversation or the anchor is missing (the caller tells which).
        Plain rows, not ORM objects: a page is only read, and loading entities cost twice as much.
        """
        query = (
            select(*MESSAGE_FIELDS)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.conversation_id == conversation_id, self.is_owned())
        )
        if after_id is not None:
            anchor = (
                select(Message.seq)
                .where(Message.conversation_id == conversation_id, Message.id == after_id)
                .scalar_subquery()
            )
            query = query.where(Message.seq < anchor if descending else Message.seq > anchor)  # type: ignore[operator]
        query = query.order_by(_by_sequence(descending)).limit(limit + 1)
        return (await self.session.execute(query)).all()


# What a page of messages reads: the fields of the public message, under their public names.
MESSAGE_FIELDS = (
    Message.id,
    Message.conversation_id,
    Message.role,
    Message.content,
    Message.tool_calls,
    Message.meta.label("metadata"),
    Message.created_at,
)


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
