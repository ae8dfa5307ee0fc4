"""Queries. Every read or write of a task is filtered by `TaskRepository.is_owned()`, the one place
that knows the owner; a task of someone else is simply not there. Idempotency keys likewise go
through `IdempotencyRepository.is_owned()`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Row,
    Select,
    and_,
    delete,
    false,
    insert,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import func

from todo_common.db import table
from todo_mcp.fields import MAX_TASK_ID, SortKey
from todo_mcp.models import PRIORITY_RANK_SQL, IdempotencyRecord, Task, TaskPublic
from todo_mcp.schemas import TaskQuery

PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}
_rank: ColumnClause[Any] = literal_column(PRIORITY_RANK_SQL)
_column = table(Task).c


@dataclass(frozen=True)
class DueWindow:
    """A listing's due filters, as instants: due at or after `after`, before `before`, and
    overdue (or not) at `now`."""

    after: datetime | None = None
    before: datetime | None = None
    overdue: bool | None = None
    now: datetime | None = None

    def filters(self) -> list[ColumnElement[bool]]:
        """The conditions these bounds put on a task."""
        found: list[ColumnElement[bool]] = []
        if self.after is not None:
            found.append(_column.due_date >= self.after)
        if self.before is not None:
            found.append(_column.due_date < self.before)
        if self.overdue is not None:
            late = and_(_column.completed == false(), _column.due_end < self.now)
            on_time = or_(
                _column.completed == true(), _column.due_end.is_(None), _column.due_end >= self.now
            )
            found.append(late if self.overdue else on_time)
        return found


class TaskRepository:
    """A user's tasks."""

    def __init__(self, session: AsyncSession, user_id: str) -> None:
        self.session = session
        self.user_id = user_id

    def is_owned(self) -> ColumnElement[bool]:
        """The condition every task query starts from: the user's."""
        return _column.user_id == self.user_id

    def owned(self) -> Select[Task]:
        """The user's tasks, as entities to change."""
        return select(Task).where(self.is_owned())

    async def get(self, task_id: int, *, lock: bool = False) -> Task | None:
        """The user's task with this id, if any; `lock` holds its row until the transaction ends
        (a concurrent change waits, then sees this one's outcome)."""
        if not 1 <= task_id <= MAX_TASK_ID:
            return None
        statement = self.owned().where(_column.id == task_id)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.scalars(statement)).first()

    async def page(
        self, query: TaskQuery, after: tuple[Any, int] | None, window: DueWindow = DueWindow()
    ) -> Sequence[Row[Any]]:
        """Up to `query.limit + 1` matching tasks in `query.sort` order, after the keyset `after`
        (the sort value and id of the previous page's last task).

        Plain rows of the public fields, not entities: a page is only read, and loading entities
        cost more than the rest of the listing."""
        filters = [*self._filters(query), *window.filters()]
        statement = select(*PUBLIC_COLUMNS).where(self.is_owned(), *filters)
        if after is not None:
            statement = statement.where(_after(query.sort, *after))
        statement = statement.order_by(*_order(query.sort)).limit(query.limit + 1)
        return (await self.session.execute(statement)).all()

    async def with_ids(self, task_ids: list[int]) -> Sequence[Task]:
        """The user's tasks among these ids, locked until the transaction ends."""
        valid = [task_id for task_id in task_ids if 1 <= task_id <= MAX_TASK_ID]
        statement = self.owned().where(_column.id.in_(valid)).with_for_update()
        return (await self.session.scalars(statement)).all()

    async def with_status(self, completed: bool) -> Sequence[Task]:
        """The user's tasks that are (or are not) completed, locked until the transaction ends."""
        statement = self.owned().where(_column.completed == completed).order_by(_column.id)
        return (await self.session.scalars(statement.with_for_update())).all()

    async def insert(self, task: Task) -> Task:
        """Store a new task of the user in one statement, without the unit of work (a task is
        added far more often than anything else is written); returns it with its id."""
        values = {name: getattr(task, name) for name in _INSERTED}
        row = (await self.session.execute(_INSERT_TASK, values | {"user_id": self.user_id})).one()
        return Task(**row._mapping)

    async def delete(self, task: Task) -> None:
        """Stage the removal of a task this repository returned."""
        await self.session.delete(task)

    def _filters(self, query: TaskQuery) -> list[ColumnElement[bool]]:
        filters: list[ColumnElement[bool]] = []
        if query.status != "all":
            filters.append(_column.completed == (query.status == "completed"))
        if query.priority is not None:
            filters.append(_column.priority == query.priority)
        if query.search:
            filters.append(
                or_(
                    _column.title.icontains(query.search, autoescape=True),
                    _column.description.icontains(query.search, autoescape=True),
                )
            )
        if query.tag is not None:
            filters.append(self._has_tag(query.tag))
        return filters

    def _has_tag(self, tag: str) -> ColumnElement[bool]:
        bind: Any = self.session.bind
        if bind.dialect.name == "postgresql":
            return type_coerce(_column.tags, JSONB).contains([tag])
        values = func.json_each(_column.tags).table_valued("value")
        return select(true()).select_from(values).where(values.c.value == tag).exists()


# Built once: building an INSERT costs SQLAlchemy more than running it.
_INSERTED = [column.name for column in _column if column.name != "id"]
_INSERT_TASK = insert(table(Task)).returning(*_column)

# The columns a listing reads: the fields of the public task.
PUBLIC_COLUMNS = [_column[name] for name in TaskPublic.model_fields]


def sort_value(task: Task | Row[Any], sort: SortKey) -> Any:
    """The value of `task` under the sort key `sort`, as a cursor stores it."""
    if sort == "priority":
        return PRIORITY_RANK[task.priority]
    if sort == "created":
        return task.created_at
    return getattr(task, sort)


def _key(sort: SortKey) -> Any:
    return _rank if sort == "priority" else _column[sort if sort != "created" else "created_at"]


def _order(sort: SortKey) -> list[Any]:
    key = _key(sort)
    first = key.asc().nulls_last() if sort == "due_date" else key.asc()
    return [first, _column.id.asc()]


def _after(sort: SortKey, value: Any, task_id: int) -> ColumnElement[bool]:
    key = _key(sort)
    if value is None:  # only due_date is nullable, and nulls sort last
        return and_(key.is_(None), _column.id > task_id)
    tail = [key.is_(None)] if sort == "due_date" else []
    return or_(key > value, and_(key == value, _column.id > task_id), *tail)


_keys = table(IdempotencyRecord)
_record = _keys.c
# Upserts are dialect-specific in SQLAlchemy; both dialects take the same arguments.
_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class IdempotencyRepository:
    """A user's idempotency keys; `is_owned()` is the one place that knows the owner."""

    def __init__(self, session: AsyncSession, user_id: str) -> None:
        self.session = session
        self.user_id = user_id

    def is_owned(self, key: str) -> ColumnElement[bool]:
        """The condition every key query starts from: the user's key `key`."""
        return and_(_record.user_id == self.user_id, _record.key == key)

    async def claim(self, key: str, request_hash: str, now: datetime, expires_at: datetime) -> bool:
        """Take `key` for a new request: insert it, or replace it if it has expired.

        False when the key is held (another request's, not expired). On PostgreSQL a key that a
        transaction under way inserted blocks this until that transaction ends: a commit makes
        it held, a rollback leaves it to us."""
        values: dict[str, Any] = {"request_hash": request_hash, "result": None, "status_code": None}
        values |= {"created_at": now, "expires_at": expires_at}
        bind: Any = self.session.bind
        insert_ = _INSERTS[bind.dialect.name](_keys)
        statement = (
            insert_.values(user_id=self.user_id, key=key, **values)
            .on_conflict_do_update(
                index_elements=[_record.user_id, _record.key],
                set_={name: insert_.excluded[name] for name in values},
                where=_record.expires_at <= now,
            )
            .returning(_record.key)
        )
        return (await self.session.execute(statement)).first() is not None

    async def get(self, key: str) -> Row[Any, Any, Any] | None:
        """The stored request hash, result and status of the user's key, if any."""
        statement = select(_record.request_hash, _record.result, _record.status_code)
        return (await self.session.execute(statement.where(self.is_owned(key)))).first()

    async def record(self, key: str, result: Any, status_code: int | None) -> None:
        """Store the outcome of the change that claimed `key`."""
        statement = update(_keys).where(self.is_owned(key))
        await self.session.execute(statement.values(result=result, status_code=status_code))


async def delete_expired_keys(session: AsyncSession, now: datetime, limit: int) -> int:
    """Delete up to `limit` keys of any user that expired by `now`; returns how many."""
    expired = (
        select(_record.user_id, _record.key)
        .where(_record.expires_at <= now)
        .limit(limit)
        # Rows another purge (another replica) is deleting are left to it, not waited for.
        .with_for_update(skip_locked=True)
    )
    statement = delete(_keys).where(tuple_(_record.user_id, _record.key).in_(expired))
    result: Any = await session.execute(statement)  # a CursorResult, which has the rowcount
    deleted: int = result.rowcount
    return deleted
