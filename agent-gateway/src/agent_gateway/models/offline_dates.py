"""The fields a request sets in passing: priority, due date and time, recurrence.

Each is found by a small pattern, cut out of the text (so titles keep only what the task is), and
turned into a value by a library: dateparser reads dates and times relative to the user's local
now, dateutil's rrule finds a repeating task's first occurrence."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

import dateparser
from dateutil.relativedelta import MO, relativedelta
from dateutil.rrule import rrulestr

Priority = Literal["low", "medium", "high"]
_FLAGS = re.IGNORECASE
_DAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
_DAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"  # names and abbreviations
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_CLOCK = r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|noon|midnight"
_TIME = re.compile(rf"(?:\s*,?\s*\b(?:at|@|by|around)\s+|\s+|^)(?P<time>{_CLOCK})\b", _FLAGS)
_BARE_HOUR = re.compile(r"(?:\s*\bat\s+)(?P<time>\d{1,2})\b(?!\s*(?:st|nd|rd|th|%|/))", _FLAGS)
_DATE = re.compile(
    r"(?:\s*,?\s*\b(?:due|by|on|for|before|until|till)\b)*\s*\b(?P<date>"
    r"today|tonight|tomorrow(?:\s+(?:morning|afternoon|evening|night))?|"
    r"this\s+(?:morning|afternoon|evening)|"
    r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:week|month)|"
    r"in\s+(?:\d+|an?|one|two|three)\s+(?:minutes?|mins?|hours?|days?|weeks?|months?)|"
    rf"(?:next|this|coming)\s+(?:{_DAY}|week|month)|"
    rf"{_DAY}|{_MONTH}\s+{_ORDINAL}(?:,?\s+\d{{4}})?|{_ORDINAL}\s+(?:of\s+)?{_MONTH}(?:\s+\d{{4}})?|"
    r"\d{4}-\d{2}-\d{2}|the\s+\d{1,2}(?:st|nd|rd|th)"
    r")\b",
    _FLAGS,
)
_HAS_TIME = re.compile(
    r"tonight|morning|afternoon|evening|night|minute|min|hour|\d:\d|am|pm|a\.m|p\.m|noon|midnight",
    _FLAGS,
)
_PRIORITY: list[tuple[re.Pattern[str], Priority | None]] = [
    (
        re.compile(
            r"\s*,?\s*\b(?:(?:with|at|as|in)\s+)?(?:an?\s+)?(?:(?P<level>high|top|low|medium|normal)"
            r"[-\s]+priority|priority\s*(?:is\s+|of\s+|:\s*)?(?P<level2>high|low|medium|normal))\b",
            _FLAGS,
        ),
        None,
    ),
    (
        re.compile(r"\s*,?\s*\b(?:it'?s\s+)?(?:urgent(?:ly)?|important|asap|critical)\b", _FLAGS),
        "high",
    ),
    (re.compile(r"\s*,?\s*\b(?:no rush|whenever|someday|not urgent)\b", _FLAGS), "low"),
]
_LEVELS: dict[str, Priority] = {
    "high": "high",
    "top": "high",
    "low": "low",
    "medium": "medium",
    "normal": "medium",
}
_DAY_LIST = rf"(?P<days>{_DAY}s?(?:\s*(?:,|and|&|,\s*and)\s*{_DAY}s?)*)"
_RECURRENCE = [
    ("weekday", re.compile(r"\b(?:every|each)\s+(?:week\s*day|weekday)s?\b", _FLAGS)),
    (
        "monthday",
        re.compile(
            r"\b(?:(?:every|each)\s+month|monthly)\s+on\s+the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
            r"|\bon\s+the\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?\s+of\s+(?:every|each)\s+month\b",
            _FLAGS,
        ),
    ),
    (
        "interval",
        re.compile(
            r"\b(?:every|each)\s+(?P<n>\d+|other)\s+(?P<unit>day|week|month|year)s?"
            rf"(?:\s+on\s+{_DAY_LIST})?\b",
            _FLAGS,
        ),
    ),
    ("days", re.compile(rf"\b(?:every|each|on)\s+{_DAY_LIST}\b", _FLAGS)),
    (
        "unit",
        re.compile(
            r"\b(?:every|each)\s+(?P<unit>day|week|month|year)\b"
            r"|\b(?P<adverb>daily|weekly|monthly|yearly|annually)\b(?=\s*(?:at\b|on\b|$|[,.!]))",
            _FLAGS,
        ),
    ),
]
_FREQ = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_ADVERB = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
    "annually": "year",
}
_COUNT = re.compile(r"\s*,?\s*\b(?:for\s+)?(?P<count>\d+)\s+times\b", _FLAGS)
_DANGLING = re.compile(
    r"(?:\s+|^)(?:due|by|on|at|for|before|until|till|with|and|starting|from|the)\s*$|[\s,;:-]+$"
    r"|^[\s,;:-]+",
    _FLAGS,
)


@dataclass(frozen=True)
class Fields:
    """What a request says besides the task itself."""

    rest: str
    """The text with the fields cut out."""
    priority: Priority | None = None
    due_date: str | None = None
    """ISO 8601: a date-time with the user's offset, or a date for an all-day task."""
    recurrence: str | None = None
    """An RRULE, e.g. FREQ=WEEKLY;BYDAY=MO."""

    def arguments(self) -> dict[str, Any]:
        """The tool arguments these fields set."""
        values = {
            "priority": self.priority,
            "due_date": self.due_date,
            "recurrence": self.recurrence,
        }
        return {name: value for name, value in values.items() if value is not None}


def extract_fields(text: str, now: datetime) -> Fields:
    """Priority, due moment and recurrence said in `text`, read in the zone of the aware `now`."""
    rest, priority = _cut_priority(text)
    rest, recurrence = _cut_recurrence(rest)
    rest, due = _cut_due(rest, now, recurrence)
    return Fields(_tidy(rest), priority, due, recurrence)


def extract_due(text: str, now: datetime) -> str | None:
    """Just a due moment (`move X to …`): the whole text must be a date and/or time."""
    rest, due = _cut_due(text, now, None)
    return due if not _tidy(rest) else None


def day_start(day: date, now: datetime) -> datetime:
    """Midnight starting `day` in `now`'s zone."""
    return datetime.combine(day, time(), tzinfo=now.tzinfo)


def week_end(now: datetime) -> datetime:
    """Midnight ending this week (the next Monday's) in `now`'s zone."""
    return day_start(now.date() + relativedelta(days=1, weekday=MO(+1)), now)


def _cut_priority(text: str) -> tuple[str, Priority | None]:
    for pattern, level in _PRIORITY:
        if match := pattern.search(text):
            named = match.groupdict().get("level") or match.groupdict().get("level2")
            priority = _LEVELS[named.lower()] if named else level
            return _cut(text, match), priority
    return text, None


def _cut_recurrence(text: str) -> tuple[str, str | None]:
    for kind, pattern in _RECURRENCE:
        if match := pattern.search(text):
            rule = _rule(kind, match)
            rest = _cut(text, match)
            if count := _COUNT.search(rest):
                rule += f";COUNT={int(count['count'])}"
                rest = _cut(rest, count)
            return rest, rule
    return text, None


def _rule(kind: str, match: re.Match[str]) -> str:
    if kind == "weekday":
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if kind == "monthday":
        return f"FREQ=MONTHLY;BYMONTHDAY={int(match['day'] or match['day2'])}"
    if kind == "days":
        return f"FREQ=WEEKLY;BYDAY={_by_day(match['days'])}"
    if kind == "interval":
        interval = 2 if match["n"].lower() == "other" else int(match["n"])
        rule = f"FREQ={_FREQ[match['unit'].lower()]};INTERVAL={interval}"
        return rule + (f";BYDAY={_by_day(match['days'])}" if match["days"] else "")
    unit = match["unit"] or _ADVERB[match["adverb"].lower()]
    return f"FREQ={_FREQ[unit.lower()]}"


def _by_day(days: str) -> str:
    names = re.findall(_DAY, days, _FLAGS)
    codes = [_DAYS[name.lower()] for name in names]
    return ",".join(dict.fromkeys(codes))


def _cut_due(text: str, now: datetime, recurrence: str | None) -> tuple[str, str | None]:
    rest, date_words, time_words = text, None, None
    if match := _DATE.search(rest):
        date_words, rest = match["date"], _cut(rest, match)
    if match := _TIME.search(rest):
        time_words, rest = match["time"], _cut(rest, match)
    elif match := _BARE_HOUR.search(rest):
        time_words, rest = f"{match['time']}:00", _cut(rest, match)
    if recurrence is not None and date_words is None:
        return rest, _first_occurrence(recurrence, time_words, now)
    if date_words and re.search(r"end\s+of\s+(?:the\s+|this\s+)?month", date_words, _FLAGS):
        # relativedelta clamps day 31 to the month's last day
        return rest, (now.date() + relativedelta(day=31)).isoformat()
    if date_words is None and time_words is None:
        return text, None
    moment = _parse(" ".join(w for w in (_date_phrase(date_words), time_words) if w), now)
    if moment is None:
        return text, None
    if time_words is None and not _HAS_TIME.search(date_words or ""):
        return rest, moment.date().isoformat()
    return rest, moment.isoformat()


def _date_phrase(words: str | None) -> str | None:
    """The date words as dateparser reads them."""
    if words is None:
        return None
    words = " ".join(words.lower().split())
    if re.fullmatch(r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week", words):
        return "sunday"  # the week ends on Sunday (ISO 8601)
    return re.sub(r"^(?:this|coming)\s+(?=\w+day$)", "", words)


def _parse(phrase: str, now: datetime) -> datetime | None:
    settings: Any = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "TIMEZONE": str(now.tzinfo),
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    moment = dateparser.parse(phrase, languages=["en"], settings=settings)
    return moment.replace(second=0, microsecond=0) if moment else None


def _first_occurrence(rule: str, time_words: str | None, now: datetime) -> str:
    """A repeating task's first due moment: its rule's first occurrence from now on."""
    clock = _parse(time_words, now) if time_words else None
    local = now.replace(tzinfo=None, second=0, microsecond=0)
    start = local.replace(hour=clock.hour, minute=clock.minute) if clock else local
    if clock is None:
        start = start.replace(hour=0, minute=0)
    found = rrulestr(rule, dtstart=start).after(start if clock is None else local, inc=True)
    first: datetime = found if isinstance(found, datetime) else start
    if clock is None:
        return first.date().isoformat()
    return first.replace(tzinfo=now.tzinfo).isoformat()


def _cut(text: str, match: re.Match[str]) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}".strip()


def _tidy(text: str) -> str:
    text = " ".join(text.split())
    previous = None
    while previous != text:
        previous = text
        text = _DANGLING.sub("", text).strip()
    return re.sub(r"\s+([,.!?])", r"\1", text)
