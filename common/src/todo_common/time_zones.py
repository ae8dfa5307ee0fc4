"""The user's IANA time zone: read from the `X-Time-Zone` header the browser sends (UTC without
one) or from a tool argument, and checked against the zones zoneinfo knows."""

from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from fastapi import Depends, Header

from todo_common.problems import InvalidField

HEADER = "X-Time-Zone"
DEFAULT = "UTC"


@cache
def _known_zones() -> dict[str, str]:
    """Every IANA zone name by its case-folded spelling (`pacific/auckland` → `Pacific/Auckland`).

    A fixed list, rather than whatever ZoneInfo() manages to open, keeps file paths out;
    `localtime` (some systems list it) is the server's zone, never a user's.
    """
    names = (available_timezones() | {DEFAULT}) - {"localtime"}
    return {name.casefold(): name for name in names}


def parse_time_zone(name: str | None, *, location: str = "header", field: str = HEADER) -> ZoneInfo:
    """The zone called `name` (UTC when None or blank); InvalidField (422) naming `field` in
    `location` for a name that is not an IANA time zone."""
    text = (name or "").strip() or DEFAULT
    canonical = _known_zones().get(text.casefold())
    if canonical is None:
        raise InvalidField(location, field, f"not an IANA time zone (e.g. Europe/Paris): {text!r}")
    return ZoneInfo(canonical)


async def _user_time_zone(
    x_time_zone: Annotated[
        str | None,
        Header(alias=HEADER, description="The user's IANA time zone, e.g. Pacific/Auckland."),
    ] = None,
) -> ZoneInfo:
    return parse_time_zone(x_time_zone)


UserTimeZone = Annotated[ZoneInfo, Depends(_user_time_zone)]
"""The request's time zone: `X-Time-Zone`, UTC when absent, a 422 naming the header when invalid."""
