"""Repeating tasks: the RRULE a task repeats by, and the occurrence its completion created.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("recurrence", sa.String(200)))
    op.add_column(
        "tasks", sa.Column("next_task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    )


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("next_task_id")
        batch.drop_column("recurrence")
