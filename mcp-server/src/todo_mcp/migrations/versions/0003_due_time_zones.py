"""Due moments with a time zone: whether the due date has a time, its IANA zone, and when the task
becomes overdue. Existing due dates stay what they were: instants in UTC.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from todo_common.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tasks",
        sa.Column("due_has_time", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("tasks", sa.Column("time_zone", sa.String(64)))
    op.add_column("tasks", sa.Column("due_end", UTCDateTime()))
    op.execute("UPDATE tasks SET time_zone = 'UTC', due_end = due_date WHERE due_date IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("due_end")
        batch.drop_column("time_zone")
        batch.drop_column("due_has_time")
