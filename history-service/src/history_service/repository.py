"""Queries. Every read or write of a conversation starts from `ConversationRepository.owned()`,
the one place that filters by owner and hides soft-deleted rows; messages are reached only
through a conversation that passed it."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from history_service.models import Conversation, Message


class ConversationRepository:
    """A user's conversations."""

    def __init__(self, session: AsyncSession, user_id: str) -> None:
        self.session = session
        self.user_id = user_id

    def owned(self) -> Select[tuple[Conversation]]:
        """The user's live conversations: the base of every query."""
        return select(Conversation).where(
            Conversation.user_id == self.user_id,
            Conversation.deleted_at.is_(None),  # type: ignore[union-attr]
        )

    async def get(self, conversation_id: str, *, for_update: bool = False) -> Conversation | None:
        """The user's live conversation with this id, if any."""
        query = self.owned().where(Conversation.id == conversation_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).first()

    async def id_taken(self, conversation_id: str) -> bool:
        """Whether any conversation, of anyone, live or deleted, has this id."""
        query = select(Conversation.id).where(Conversation.id == conversation_id)
        return (await self.session.scalars(query)).first() is not None

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

    async def page(self, limit: int, descending: bool, after_seq: int | None) -> Sequence[Message]:
        """Up to `limit + 1` messages in insertion order (or its reverse), after `after_seq`."""
        query = self._in_conversation()
        if after_seq is not None:
            query = query.where(Message.seq < after_seq if descending else Message.seq > after_seq)  # type: ignore[operator]
        return (
            await self.session.scalars(query.order_by(_by_sequence(descending)).limit(limit + 1))
        ).all()

    async def latest(self) -> Message | None:
        """The newest message."""
        query = self._in_conversation().order_by(_by_sequence(descending=True)).limit(1)
        return (await self.session.scalars(query)).first()

    async def count(self) -> int:
        """How many messages the conversation holds."""
        query = (
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == self.conversation.id)
        )
        return (await self.session.scalar(query)) or 0

    async def add(self, message: Message) -> None:
        """Insert a message and give it its sequence number."""
        self.session.add(message)
        await self.session.flush()

    async def delete(self, message: Message) -> None:
        """Remove a message for good."""
        await self.session.delete(message)
        await self.session.flush()

    async def record_activity(self, changes: dict[str, object]) -> int:
        """Apply summary changes to the conversation row in one atomic UPDATE; returns its `last_seq`.

        Taking the next sequence number this way also serializes inserts into one conversation.
        """
        statement = (
            update(Conversation)
            .where(Conversation.id == self.conversation.id)
            .values(**changes)
            .returning(Conversation)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        # RETURNING the entity refreshes the loaded conversation in the same round trip.
        self.conversation = (await self.session.scalars(statement)).one()
        return self.conversation.last_seq
