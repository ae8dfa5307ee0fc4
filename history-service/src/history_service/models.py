"""The two tables this service owns: conversations and their messages."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from todo_common.db import UTCDateTime, utcnow

# SQLite only autoincrements a plain INTEGER primary key.
SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")


class Conversation(SQLModel, table=True):
    """A user's conversation; soft-deleted rows stay but are never served."""

    __tablename__ = "conversations"
    __table_args__ = (
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

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: str = Field(sa_column=Column(String, nullable=False))
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


class Message(SQLModel, table=True):
    """One message; `seq` is the insertion sequence that orders a conversation without ties."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "id", name="uq_messages_conversation_id_id"),
    )

    seq: int | None = Field(
        default=None, sa_column=Column(SEQUENCE, primary_key=True, autoincrement=True)
    )
    id: str = Field(sa_column=Column(String(64), nullable=False))
    conversation_id: str = Field(
        sa_column=Column(String(64), ForeignKey("conversations.id"), nullable=False)
    )
    user_id: str = Field(sa_column=Column(String, nullable=False))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    content: str = Field(sa_column=Column(Text, nullable=False))
    tool_calls: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # Plain JSON (not JSONB) keeps the client's document byte-for-byte, key order included.
    meta: dict[str, Any] | None = Field(default=None, sa_column=Column("metadata", JSON))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


# Keyset paging of a conversation in either direction walks this index; the newest 100 messages
# cost the same in a conversation of 100 or 100,000.
Index("ix_messages_conversation_seq", Message.__table__.c.conversation_id, Message.__table__.c.seq)
