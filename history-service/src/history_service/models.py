"""The tables this service owns: conversations, their messages, turn admission, paused runs."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from todo_common.db import UTCDateTime, utcnow


class Conversation(SQLModel, table=True):
    """A user's conversation; soft-deleted rows stay but are never served.

    Keyed by (user_id, id): an id names a conversation within its owner's space only, so two users
    may hold the same id, and creating one never tells anything of another user's ids.
    """

    __tablename__ = "conversations"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "id", name="pk_conversations"),
        # The sidebar query: a user's live conversations, newest first, keyset on (updated_at, id).
        Index(
            "ix_conversations_user_recent",
            "user_id",
            "updated_at",
            "id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    user_id: str = Field(sa_column=Column(String, nullable=False))
    id: str = Field(sa_column=Column(String(64), nullable=False))
    title: str | None = Field(default=None, sa_column=Column(String(200)))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    message_count: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    last_message_preview: str | None = Field(default=None, sa_column=Column(String(100)))
    last_seq: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )


class Message(SQLModel, table=True):
    """One message; `seq` numbers a conversation's messages in insertion order, without ties.

    A conversation is (user_id, conversation_id), as its key is. The primary key
    (user_id, conversation_id, seq) is the only index that orders messages, so the newest 100 of
    any conversation are one short index range, however many messages others hold.
    """

    __tablename__ = "messages"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "conversation_id", "seq", name="pk_messages"),
        UniqueConstraint("user_id", "conversation_id", "id", name="uq_messages_conversation_id"),
        ForeignKeyConstraint(
            ["user_id", "conversation_id"],
            ["conversations.user_id", "conversations.id"],
            name="fk_messages_conversation",
        ),
    )

    user_id: str = Field(sa_column=Column(String, nullable=False))
    conversation_id: str = Field(sa_column=Column(String(64), nullable=False))
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, autoincrement=False))
    id: str = Field(sa_column=Column(String(64), nullable=False))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    content: str = Field(sa_column=Column(Text, nullable=False))
    tool_calls: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    # Plain JSON (not JSONB) keeps the client's document byte-for-byte, key order included.
    meta: dict[str, Any] | None = Field(
        default=None, sa_column=Column("metadata", JSON(none_as_null=True))
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class TurnBucket(SQLModel, table=True):
    """A user's token bucket for chat turns, as one moment: when it is full again.

    Each turn admitted pushes `full_at` one refill interval later; a turn is refused while that
    would put it more than the bucket's capacity of intervals ahead of now (GCRA, the token
    bucket written as a single timestamp, so an admission is one row update under its lock).
    """

    __tablename__ = "turn_buckets"

    user_id: str = Field(sa_column=Column(String, primary_key=True))
    full_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class TurnSlot(SQLModel, table=True):
    """A chat turn a user holds open: released when the turn ends, or gone at `expires_at`."""

    __tablename__ = "turn_slots"
    __table_args__ = (Index("ix_turn_slots_user_expires", "user_id", "expires_at"),)

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: str = Field(sa_column=Column(String, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PendingApproval(SQLModel, table=True):
    """A chat run paused until its user approves or rejects a tool call (a delete, a bulk change).

    The run's state is kept here, not in a gateway's memory, so any replica resumes it. Once
    decided, `decision` never changes and `outcome` keeps the resumed turn's answer, so a retried
    decision gets the same answer and runs nothing again.
    """

    __tablename__ = "pending_approvals"
    __table_args__ = (PrimaryKeyConstraint("user_id", "id", name="pk_pending_approvals"),)

    user_id: str = Field(sa_column=Column(String, nullable=False))
    id: str = Field(sa_column=Column(String(64), nullable=False))
    conversation_id: str = Field(sa_column=Column(String(64), nullable=False))
    message_id: str = Field(sa_column=Column(String(64), nullable=False))
    """The user message whose turn is paused."""
    tool: str = Field(sa_column=Column(String(100), nullable=False))
    arguments: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    summary: str = Field(sa_column=Column(String(500), nullable=False))
    state: str = Field(sa_column=Column(Text, nullable=False))
    decision: str | None = Field(default=None, sa_column=Column(String(16)))
    outcome: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
