"""Turn admission: each user's token bucket and the chat turns they hold open.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from todo_common.db import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "turn_buckets",
        sa.Column("user_id", sa.String(), primary_key=True),
        sa.Column("full_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "turn_slots",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_turn_slots_user_expires", "turn_slots", ["user_id", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_turn_slots_user_expires", "turn_slots")
    op.drop_table("turn_slots")
    op.drop_table("turn_buckets")
