"""The tasks table and its SQLModel family (Base, Create, Replace, Update, table, Public), and the
idempotency keys recorded with task changes."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import StrictBool, computed_field
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    false,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from todo_common.db import UTCDateTime, utcnow
from todo_mcp.due import end_of, local_form, zone_named
from todo_mcp.fields import (
    Description,
    DueDate,
    NullInType,
    Priority,
    Recurrence,
    Tags,
    TimeZoneName,
    Title,
)
from todo_mcp.recurrence import in_words

# SQLite only autoincrements a plain INTEGER primary key.
TASK_ID = BigInteger().with_variant(Integer(), "sqlite")
# Tags are read with every task and filtered on rarely, so they live in the row (no join to load
# them): JSONB on PostgreSQL, where a GIN index serves `tags @> '["x"]'`; JSON text on SQLite,
# where `json_each` filters within the user's rows.
TAGS = JSON().with_variant(JSONB(), "postgresql")
# "high first" as an ascending key; the same SQL text is indexed, so the planner can match it.
PRIORITY_RANK_SQL = "(CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END)"


class TaskBase(SQLModel):
    """The fields a user edits."""

    title: Title
    description: Description = None
    priority: Priority = "medium"
    due_date: DueDate = None
    tags: Tags = Field(default_factory=list)
    time_zone: TimeZoneName = None
    recurrence: Recurrence = None


class TaskCreate(TaskBase):
    """A new task (POST body, `add_task` arguments)."""


class TaskReplace(TaskBase):
    """Every editable field at once (PUT body); omitted optional fields are reset."""

    completed: StrictBool = False


class TaskUpdate(SQLModel):
    """Some editable fields (PATCH body, `update_task` arguments); only those sent change."""

    title: Title | None = None
    description: Description = None
    completed: StrictBool | None = None
    priority: Priority | None = None
    due_date: DueDate = None
    tags: Tags | None = None
    time_zone: TimeZoneName = None
    recurrence: Recurrence = None


class Task(SQLModel, table=True):
    """A user's task row."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("priority IN ('low', 'medium', 'high')", name="ck_tasks_priority"),
        # One index per sort order, each led by the owner: a page is a short index range scan.
        Index("ix_tasks_user_created", "user_id", "created_at", "id"),
        Index("ix_tasks_user_due_date", "user_id", "due_date", "id"),
        Index("ix_tasks_user_title", "user_id", "title", "id"),
        Index("ix_tasks_user_priority", "user_id", text(PRIORITY_RANK_SQL), "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(TASK_ID, primary_key=True))
    user_id: str = Field(sa_column=Column(String(255), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(1000)))
    completed: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    priority: str = Field(
        default="medium", sa_column=Column(String(6), nullable=False, server_default="medium")
    )
    due_date: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    due_has_time: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=true())
    )
    time_zone: str | None = Field(default=None, sa_column=Column(String(64)))
    due_end: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    """When the task becomes overdue (the due time, or the end of the all-day date)."""
    recurrence: str | None = Field(default=None, sa_column=Column(String(200)))
    next_task_id: int | None = Field(default=None, sa_column=Column(TASK_ID))
    """The occurrence created when this one was completed: set once, in the same transaction."""
    tags: list[str] = Field(default_factory=list, sa_column=Column(TAGS, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class TaskPublic(SQLModel):
    """A task as every client sees it."""

    id: int
    title: str
    description: Annotated[str | None, NullInType]
    completed: bool
    priority: Priority
    due_date: Annotated[datetime | None, NullInType]
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    due_has_time: bool = Field(description="false for an all-day due date (or none).")
    time_zone: Annotated[str | None, NullInType] = Field(
        description="The IANA zone the due moment belongs to."
    )

    recurrence: Annotated[str | None, NullInType] = Field(
        default=None, description="The repeat rule (RRULE text), e.g. FREQ=WEEKLY;BYDAY=MO."
    )
    next_task_id: Annotated[int | None, NullInType] = Field(
        default=None, description="The next occurrence, created when this one was completed."
    )

    @computed_field(description="The repeat rule in words, e.g. every Monday.")
    def recurrence_text(self) -> Annotated[str | None, NullInType]:
        return in_words(self.recurrence) if self.recurrence else None

    @computed_field(description="The due moment in its zone: date-time with offset, or the date.")
    def due_local(self) -> Annotated[str | None, NullInType]:
        if self.due_date is None:
            return None
        return local_form(self.due_date, self.due_has_time, zone_named(self.time_zone))

    @computed_field(description="Not completed and past its due moment (all-day: its whole day).")
    def overdue(self) -> bool:
        if self.completed or self.due_date is None:
            return False
        return utcnow() > end_of(self.due_date, self.due_has_time, zone_named(self.time_zone))


class IdempotencyRecord(SQLModel, table=True):
    """An idempotency key a user sent with a task change, and that change's outcome."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_keys"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    user_id: str = Field(sa_column=Column(String(255), nullable=False))
    key: str = Field(sa_column=Column(String(255), nullable=False))
    request_hash: str = Field(sa_column=Column(String(64), nullable=False))
    """sha256 (hex) of the request's scope (tool, or method and route) and canonical arguments."""
    result: Any = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    """The change's JSON result; SQL NULL while the change is under way."""
    status_code: int | None = Field(default=None, sa_column=Column(Integer))
    """The HTTP status of a REST change; NULL for MCP tool calls."""
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
