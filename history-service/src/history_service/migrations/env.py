"""Alembic environment for history-service (see todo_common.migrations)."""

from sqlmodel import SQLModel

import history_service.models  # noqa: F401  (registers the tables)
from todo_common.migrations import run_env

run_env(SQLModel.metadata)
