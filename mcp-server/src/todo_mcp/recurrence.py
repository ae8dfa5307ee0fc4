"""Repeating tasks: an RFC 5545 RRULE subset, checked here, expanded by dateutil.rrule, and put in
words. The rule runs on the task's local wall time, so a 9:00 task stays at 9:00 across DST."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

FREQUENCIES = {
    "DAILY": ("day", "days"),
    "WEEKLY": ("week", "weeks"),
    "MONTHLY": ("month", "months"),
}
FREQUENCIES["YEARLY"] = ("year", "years")
KEYS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT"}
DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
UNTIL_FORMATS = ("%Y%m%d", "%Y%m%dT%H%M%S", "%Y%m%dT%H%M%SZ")


def parts(rule: str) -> dict[str, str]:
    """The rule's KEY=VALUE parts; ValueError when it leaves the supported subset."""
    found: dict[str, str] = {}
    for part in rule.split(";"):
        key, _, value = part.partition("=")
        if key not in KEYS or not value or key in found:
            raise ValueError(f"supports only {', '.join(sorted(KEYS))}, each once: not {part!r}")
        found[key] = value
    frequency = found.get("FREQ")
    if frequency not in FREQUENCIES:
        raise ValueError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    if "BYDAY" in found and (
        frequency != "WEEKLY" or not set(found["BYDAY"].split(",")) <= set(DAYS)
    ):
        raise ValueError("BYDAY takes weekdays (MO,TU,...) and only with FREQ=WEEKLY")
    if "BYMONTHDAY" in found and (
        frequency != "MONTHLY" or not all(_month_day(day) for day in found["BYMONTHDAY"].split(","))
    ):
        raise ValueError("BYMONTHDAY takes days 1 to 31 (or -1 to -31) and only with FREQ=MONTHLY")
    if "UNTIL" in found and "COUNT" in found:
        raise ValueError("give UNTIL or COUNT, not both")
    for key in ("INTERVAL", "COUNT"):
        if key in found and not (found[key].isdigit() and 1 <= int(found[key]) <= 1000):
            raise ValueError(f"{key} must be a whole number from 1 to 1000")
    if "UNTIL" in found:
        _until(found["UNTIL"], ZoneInfo("UTC"))
    return found


def _month_day(text: str) -> bool:
    number = text.removeprefix("-")
    return number.isdigit() and 1 <= int(number) <= 31


def normalized(text: str) -> str:
    """The rule as stored: upper case, without an `RRULE:` prefix; ValueError when unsupported or
    invalid (dateutil checks the values)."""
    rule = text.strip().upper().removeprefix("RRULE:")
    parts(rule)
    expand(rule, datetime(2000, 1, 1), ZoneInfo("UTC"))
    return rule


def _until(value: str, zone: ZoneInfo) -> str:
    """UNTIL as local wall time for dateutil: a date means through that whole day, a UTC time is
    read in the task's zone."""
    for format_ in UNTIL_FORMATS:
        try:
            moment = datetime.strptime(value, format_)
        except ValueError:
            continue
        if format_.endswith("Z"):
            moment = moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
        elif format_ == "%Y%m%d":
            moment = datetime.combine(moment.date(), time.max.replace(microsecond=0))
        return moment.strftime("%Y%m%dT%H%M%S")
    raise ValueError("UNTIL must be a date (20301231) or date-time (20301231T170000Z)")


def expand(rule: str, start: datetime, zone: ZoneInfo) -> rrule:
    """The dateutil rule starting at the naive local wall time `start`."""
    found = parts(rule)
    if "UNTIL" in found:
        found["UNTIL"] = _until(found["UNTIL"], zone)
    text = ";".join(f"{key}={value}" for key, value in found.items())
    parsed = rrulestr(text, dtstart=start)
    assert isinstance(parsed, rrule)
    return parsed


def following(
    rule: str, due: date | datetime, zone: ZoneInfo
) -> tuple[date | datetime, str] | None:
    """The next occurrence after `due` (a date, or a naive local wall time) and the rule the next
    task carries (COUNT one less), or None when the series is over."""
    found = parts(rule)
    count = int(found.get("COUNT", "0"))
    if count == 1:
        return None
    start = due if isinstance(due, datetime) else datetime.combine(due, time())
    upcoming = expand(rule, start, zone).after(start)
    if upcoming is None:
        return None
    if count:
        found["COUNT"] = str(count - 1)
    rest = ";".join(f"{key}={value}" for key, value in found.items())
    return (upcoming if isinstance(due, datetime) else upcoming.date()), rest


def _ordinal(day: int) -> str:
    if day < 0:
        return "last day" if day == -1 else f"{_ordinal(-day)} to last day"
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def in_words(rule: str) -> str:
    """The rule as people say it: `every Monday`, `every 2 weeks on Monday and Thursday`,
    `every month on the 1st, 5 times`, `every day until December 31, 2030`."""
    found = parts(rule)
    one, many = FREQUENCIES[found["FREQ"]]
    interval = int(found.get("INTERVAL", "1"))
    days = [DAYS[day] for day in found["BYDAY"].split(",")] if "BYDAY" in found else []
    month_days = [_ordinal(int(d)) for d in found.get("BYMONTHDAY", "").split(",") if d]
    if days and interval == 1:
        words = f"every {_joined(days)}"
    else:
        words = f"every {one}" if interval == 1 else f"every {interval} {many}"
        if days:
            words += f" on {_joined(days)}"
        if month_days:
            words += f" on the {_joined(month_days)}"
    if "UNTIL" in found:
        until = datetime.strptime(found["UNTIL"][:8], "%Y%m%d")
        words += f" until {until:%B} {until.day}, {until.year}"
    if "COUNT" in found:
        count = int(found["COUNT"])
        words += ", once" if count == 1 else f", {count} times"
    return words
