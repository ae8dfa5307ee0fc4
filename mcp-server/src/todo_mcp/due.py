"""A task's due moment: an all-day date or a date-time, kept as a UTC instant with the IANA zone it
belongs to. zoneinfo does every conversion; nothing here adds hours by hand."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from todo_common.problems import InvalidField
from todo_common.time_zones import parse_time_zone

DueInput = date | datetime
"""What a client sends: a date (all-day), an aware date-time (the instant) or a naive one (wall
time in the task's zone)."""


@dataclass(frozen=True)
class Due:
    """A resolved due moment, as the task row stores it."""

    due_date: datetime | None
    """The moment in UTC: the given instant, or the start of the all-day date in its zone."""
    due_has_time: bool
    time_zone: str | None
    due_end: datetime | None
    """When the task becomes overdue: its due time, or the end of its all-day date."""

    def columns(self) -> dict[str, object]:
        """The task columns this due moment sets."""
        return {
            "due_date": self.due_date,
            "due_has_time": self.due_has_time,
            "time_zone": self.time_zone,
            "due_end": self.due_end,
        }


NO_DUE = Due(None, False, None, None)


def zone_named(name: str | None) -> ZoneInfo:
    """The zone a stored task names (UTC for rows from before zones were kept)."""
    return parse_time_zone(name)


def instant(value: DueInput, zone: ZoneInfo) -> datetime:
    """`value` as a UTC instant: a date is its local midnight in `zone`, a naive date-time its wall
    time in `zone`. ValueError when that falls outside the years 1-9999."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    try:
        return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range") from exc


def end_of(due_date: datetime, has_time: bool, zone: ZoneInfo) -> datetime:
    """When a task due at `due_date` is overdue: at that moment, or for an all-day task at the
    next local midnight (the end of the last day, for 9999-12-31)."""
    if has_time:
        return due_date
    day = due_date.astimezone(zone).date()
    try:
        return instant(day + timedelta(days=1), zone)
    except (OverflowError, ValueError):
        return datetime.max.replace(tzinfo=UTC)


def resolve(value: DueInput | None, zone: ZoneInfo, field: str = "due_date") -> Due:
    """The stored form of a due input read in `zone`; InvalidField naming `field` when it cannot
    be stored."""
    if value is None:
        return NO_DUE
    has_time = isinstance(value, datetime)
    try:
        moment = instant(value, zone)
        moment.astimezone(zone)  # it must also have a local form to show
    except (OverflowError, ValueError) as exc:
        raise InvalidField("body", field, "is out of range") from exc
    return Due(moment, has_time, zone.key, end_of(moment, has_time, zone))


def local_form(due_date: datetime, has_time: bool, zone: ZoneInfo) -> str:
    """The due moment as the user reads it: ISO 8601 in its zone with the offset, or the date."""
    local = due_date.astimezone(zone)
    return local.isoformat() if has_time else local.date().isoformat()


def wall_time(due_date: datetime, has_time: bool, zone: ZoneInfo) -> DueInput:
    """The due moment as its zone's date or naive wall time (to read it again in another zone)."""
    local = due_date.astimezone(zone)
    return local.replace(tzinfo=None) if has_time else local.date()
