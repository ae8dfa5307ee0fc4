"""The tasks table with one index per list order, and a GIN index on tags for PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from todo_common.db import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRIORITY_RANK_SQL = "(CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END)"


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(1000)),
        sa.Column("completed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("priority", sa.String(6), nullable=False, server_default="medium"),
        sa.Column("due_date", UTCDateTime()),
        sa.Column("tags", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("priority IN ('low', 'medium', 'high')", name="ck_tasks_priority"),
    )
    op.create_index("ix_tasks_user_created", "tasks", ["user_id", "created_at", "id"])
    op.create_index("ix_tasks_user_due_date", "tasks", ["user_id", "due_date", "id"])
    op.create_index("ix_tasks_user_title", "tasks", ["user_id", "title", "id"])
    op.create_index(
        "ix_tasks_user_priority", "tasks", ["user_id", sa.text(PRIORITY_RANK_SQL), "id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_tasks_tags",
            "tasks",
            ["tags"],
            postgresql_using="gin",
            postgresql_ops={"tags": "jsonb_path_ops"},
        )


def downgrade() -> None:
    op.drop_table("tasks")
