"""Conversations and messages.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from todo_common.db import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(200)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime()),
        sa.Column("message_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_message_preview", sa.String(100)),
        sa.Column("last_seq", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_conversations_user_recent",
        "conversations",
        ["user_id", "updated_at", "id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )
    op.create_table(
        "messages",
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("tool_calls", sa.JSON(none_as_null=True)),
        sa.Column("metadata", sa.JSON(none_as_null=True)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "seq", name="pk_messages"),
        sa.UniqueConstraint("conversation_id", "id", name="uq_messages_conversation_id_id"),
    )


def downgrade() -> None:
    op.drop_table("messages")
    op.drop_index("ix_conversations_user_recent", "conversations")
    op.drop_table("conversations")
