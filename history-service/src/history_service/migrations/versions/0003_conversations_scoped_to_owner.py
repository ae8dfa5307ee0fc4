"""Conversation ids scoped to their owner: conversations keyed by (user_id, id), messages by
(user_id, conversation_id, seq), so two users may hold the same conversation id.

Existing rows keep their keys: a message's user_id is its conversation's already. Downgrading
fails while two users hold the same id (the old key cannot tell them apart).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0001 left two constraints unnamed. PostgreSQL named them itself; SQLite's batch mode (which
# rebuilds the table) finds them by this naming convention.
OLD_NAMES = {
    "postgresql": {"pk": "conversations_pkey", "fk": "messages_conversation_id_fkey"},
    "sqlite": {"pk": "pk_conversations_old", "fk": "fk_messages_conversation_id_conversations"},
}
NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s_old",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}


def _old_name(kind: str) -> str:
    return OLD_NAMES[op.get_bind().dialect.name][kind]


def upgrade() -> None:
    with op.batch_alter_table("messages", naming_convention=NAMING_CONVENTION) as batch:
        batch.drop_constraint(_old_name("fk"), type_="foreignkey")
        batch.drop_constraint("uq_messages_conversation_id_id", type_="unique")
        batch.drop_constraint("pk_messages", type_="primary")
    with op.batch_alter_table("conversations", naming_convention=NAMING_CONVENTION) as batch:
        batch.drop_constraint(_old_name("pk"), type_="primary")
        batch.create_primary_key("pk_conversations", ["user_id", "id"])
    with op.batch_alter_table("messages") as batch:
        batch.create_primary_key("pk_messages", ["user_id", "conversation_id", "seq"])
        batch.create_unique_constraint(
            "uq_messages_conversation_id", ["user_id", "conversation_id", "id"]
        )
        batch.create_foreign_key(
            "fk_messages_conversation",
            "conversations",
            ["user_id", "conversation_id"],
            ["user_id", "id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("fk_messages_conversation", type_="foreignkey")
        batch.drop_constraint("uq_messages_conversation_id", type_="unique")
        batch.drop_constraint("pk_messages", type_="primary")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_constraint("pk_conversations", type_="primary")
        batch.create_primary_key(_old_name("pk"), ["id"])
    with op.batch_alter_table("messages") as batch:
        batch.create_primary_key("pk_messages", ["conversation_id", "seq"])
        batch.create_unique_constraint("uq_messages_conversation_id_id", ["conversation_id", "id"])
        batch.create_foreign_key(_old_name("fk"), "conversations", ["conversation_id"], ["id"])
