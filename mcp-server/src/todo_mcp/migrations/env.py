"""Alembic environment: the shared async runner over this service's metadata."""

from sqlmodel import SQLModel

import todo_mcp.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from todo_common.migrations import run_env

run_env(SQLModel.metadata)
