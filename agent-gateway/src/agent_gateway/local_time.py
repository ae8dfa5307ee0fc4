"""The user's local now, as the agent's instructions state it and the offline model reads it back.

The instructions are the one channel every model gets, so the offline model takes its "now" from
them rather than from a clock of its own: the same instructions always give the same answer."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_SENTENCE = "Today is {weekday} {date}, {time} in {zone} (UTC{offset})."
_READ = re.compile(
    r"Today is \w+ (?P<date>\d{4}-\d{2}-\d{2}), (?P<time>\d{2}:\d{2}) in (?P<zone>[\w/+\-]+) "
)


def local_now_sentence(now: datetime) -> str:
    """'Today is Wednesday 2026-12-02, 22:14 in Pacific/Auckland (UTC+13:00).' for an aware now."""
    offset = now.strftime("%z")
    return _SENTENCE.format(
        weekday=now.strftime("%A"),
        date=now.date().isoformat(),
        time=now.strftime("%H:%M"),
        zone=str(now.tzinfo),
        offset=f"{offset[:3]}:{offset[3:]}",
    )


def read_local_now(instructions: str | None) -> datetime | None:
    """The local now stated in `instructions` (to the minute, in its zone), or None."""
    match = _READ.search(instructions or "")
    if match is None:
        return None
    try:
        zone = ZoneInfo(match["zone"])
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return datetime.fromisoformat(f"{match['date']}T{match['time']}").replace(tzinfo=zone)
