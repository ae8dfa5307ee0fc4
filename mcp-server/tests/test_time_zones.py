"""Due moments with time zones: dates and wall times read in the user's zone, stored in UTC,
shown in both; the due filters and overdue; a bad zone refused on both faces."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest

from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header

from .conftest import mcp_client
from .test_mcp_tools import call, error

# Just before midnight UTC: Auckland is already on the next day, Los Angeles still on this one.
NEAR_MIDNIGHT_UTC = datetime(2030, 6, 14, 23, 30, tzinfo=UTC)


def headers(user: str, zone: str | None = None) -> dict[str, str]:
    return auth_header(user) | ({"X-Time-Zone": zone} if zone else {})


def tomorrow_in(zone: str) -> date:
    """The user's tomorrow, as the assistant works it out from their local now."""
    return NEAR_MIDNIGHT_UTC.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)


async def add(api: httpx2.AsyncClient, user: str, zone: str | None, **body: Any) -> dict[str, Any]:
    response = await api.post(f"/api/{user}/tasks", json=body, headers=headers(user, zone))
    assert response.status_code == 201, response.text
    return response.json()


async def titles(api: httpx2.AsyncClient, user: str, zone: str | None, **params: Any) -> list[str]:
    response = await api.get(f"/api/{user}/tasks", params=params, headers=headers(user, zone))
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["tasks"]]


@pytest.mark.parametrize(
    ("zone", "day", "all_day_utc", "five_pm_utc", "five_pm_local"),
    [
        (
            "Pacific/Auckland",
            "2030-06-16",
            "2030-06-15T12:00:00Z",
            "2030-06-16T05:00:00Z",
            "2030-06-16T17:00:00+12:00",
        ),
        (
            "America/Los_Angeles",
            "2030-06-15",
            "2030-06-15T07:00:00Z",
            "2030-06-16T00:00:00Z",
            "2030-06-15T17:00:00-07:00",
        ),
    ],
)
async def test_tomorrow_is_the_users_tomorrow_in_utc_and_in_their_zone(
    api: httpx2.AsyncClient,
    user: str,
    zone: str,
    day: str,
    all_day_utc: str,
    five_pm_utc: str,
    five_pm_local: str,
):
    tomorrow = tomorrow_in(zone)
    assert tomorrow.isoformat() == day

    all_day = await add(api, user, zone, title="Water plants", due_date=tomorrow.isoformat())
    timed = await add(api, user, zone, title="Call mom", due_date=f"{tomorrow}T17:00")

    assert all_day["due_date"] == all_day_utc
    assert all_day["due_local"] == day
    assert (all_day["due_has_time"], all_day["time_zone"]) == (False, zone)
    assert timed["due_date"] == five_pm_utc
    assert timed["due_local"] == five_pm_local
    assert (timed["due_has_time"], timed["time_zone"]) == (True, zone)
    stored = await api.get(f"/api/{user}/tasks/{timed['id']}", headers=auth_header(user))
    assert stored.json()["due_local"] == five_pm_local  # the zone is the task's, not the reader's


async def test_an_offset_is_the_instant_and_no_zone_means_utc(api: httpx2.AsyncClient, user: str):
    instant = await add(api, user, "Pacific/Auckland", title="a", due_date="2030-01-31T09:30+02:00")
    plain = await add(api, user, None, title="b", due_date="2030-01-31")

    assert instant["due_date"] == "2030-01-31T07:30:00Z"
    assert instant["due_local"] == "2030-01-31T20:30:00+13:00"
    assert (plain["due_date"], plain["due_local"], plain["time_zone"]) == (
        "2030-01-31T00:00:00Z",
        "2030-01-31",
        "UTC",
    )


async def test_the_body_zone_wins_over_the_header(api: httpx2.AsyncClient, user: str):
    task = await add(
        api, user, "UTC", title="a", due_date="2030-03-01T08:00", time_zone="Europe/Paris"
    )
    assert (task["due_date"], task["time_zone"]) == ("2030-03-01T07:00:00Z", "Europe/Paris")


async def test_a_new_zone_alone_keeps_the_local_wall_time(api: httpx2.AsyncClient, user: str):
    task = await add(api, user, "Europe/Paris", title="a", due_date="2030-03-01T08:00")
    response = await api.patch(
        f"/api/{user}/tasks/{task['id']}",
        json={"time_zone": "America/New_York"},
        headers=auth_header(user),
    )
    assert response.status_code == 200, response.text
    moved = response.json()
    assert (moved["due_local"], moved["due_date"]) == (
        "2030-03-01T08:00:00-05:00",
        "2030-03-01T13:00:00Z",
    )


async def test_due_filters_read_dates_in_the_users_zone(api: httpx2.AsyncClient, user: str):
    zone = "Pacific/Auckland"
    await add(api, user, zone, title="Monday", due_date="2030-06-17")
    await add(api, user, zone, title="Monday night", due_date="2030-06-17T23:30")
    await add(api, user, zone, title="Tuesday", due_date="2030-06-18T00:00")
    await add(api, user, zone, title="Undated")

    monday = {"due_after": "2030-06-17", "due_before": "2030-06-18"}
    assert await titles(api, user, zone, **monday) == ["Monday", "Monday night"]
    # Read in UTC, Auckland's Monday starts 12 hours into it: the all-day start falls before.
    assert await titles(api, user, "UTC", **monday) == ["Monday night", "Tuesday"]
    assert await titles(api, user, zone, due_after="2030-06-17T11:00:00Z") == [
        "Monday night",
        "Tuesday",
    ]
    by_due = await titles(api, user, zone, sort="due_date")
    assert by_due == ["Monday", "Monday night", "Tuesday", "Undated"]


async def test_overdue_is_past_the_moment_or_the_whole_day(api: httpx2.AsyncClient, user: str):
    zone = "America/Los_Angeles"
    now = datetime.now(ZoneInfo(zone))
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    an_hour_ago = (now - timedelta(hours=1)).replace(tzinfo=None).isoformat(timespec="minutes")
    await add(api, user, zone, title="Today", due_date=today.isoformat())
    await add(api, user, zone, title="Yesterday", due_date=yesterday.isoformat())
    await add(api, user, zone, title="An hour ago", due_date=an_hour_ago)
    await add(api, user, zone, title="Next year", due_date=f"{today.year + 1}-01-01")
    done = await add(api, user, zone, title="Done late", due_date=yesterday.isoformat())
    await api.patch(f"/api/{user}/tasks/{done['id']}/complete", headers=auth_header(user))
    await add(api, user, zone, title="Undated")

    assert await titles(api, user, zone, overdue="true") == ["Yesterday", "An hour ago"]
    assert await titles(api, user, zone, overdue="false") == [
        "Today",
        "Next year",
        "Done late",
        "Undated",
    ]
    listed = (await api.get(f"/api/{user}/tasks", headers=auth_header(user))).json()["tasks"]
    assert {t["title"]: t["overdue"] for t in listed} == {
        "Today": False,
        "Yesterday": True,
        "An hour ago": True,
        "Next year": False,
        "Done late": False,
        "Undated": False,
    }


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "+13:00"])
async def test_a_bad_zone_header_is_a_422_naming_it(api: httpx2.AsyncClient, user: str, zone: str):
    for response in [
        await api.post(f"/api/{user}/tasks", json={"title": "a"}, headers=headers(user, zone)),
        await api.get(f"/api/{user}/tasks", headers=headers(user, zone)),
    ]:
        assert response.status_code == 422
        assert [(e["location"], e["field"]) for e in response.json()["errors"]] == [
            ("header", "X-Time-Zone")
        ]


async def test_a_bad_zone_or_date_in_the_body_or_query_is_a_422(api: httpx2.AsyncClient, user: str):
    bad_zone = await api.post(
        f"/api/{user}/tasks", json={"title": "a", "time_zone": "Nowhere"}, headers=auth_header(user)
    )
    assert bad_zone.status_code == 422
    assert bad_zone.json()["errors"][0]["field"] == "time_zone"
    bad_bound = await api.get(
        f"/api/{user}/tasks", params={"due_before": "soon"}, headers=auth_header(user)
    )
    assert bad_bound.status_code == 422
    assert bad_bound.json()["errors"][0]["field"] == "due_before"
    too_early = await api.post(
        f"/api/{user}/tasks",
        json={"title": "a", "due_date": "0001-01-01"},
        headers=headers(user, "Pacific/Auckland"),
    )
    assert too_early.status_code == 422
    assert too_early.json()["errors"][0]["field"] == "due_date"


async def test_the_tools_take_the_zone_as_an_argument(server: ServiceProcess, user: str):
    zone = "Pacific/Auckland"
    async with mcp_client(server.url, user) as client:
        await call(client, "add_task", title="Rent", due_date="2030-06-16T09:00", time_zone=zone)
        await call(client, "add_task", title="Old", due_date="2020-01-01")
        page = await call(client, "list_tasks", due_after="2030-06-16", time_zone=zone)
        overdue = await call(client, "list_tasks", overdue=True)
        zone_error = await error(client, "add_task", title="x", time_zone="Mars/Olympus")
        bound_error = await error(client, "list_tasks", due_before="someday")

    [task] = page["tasks"]
    assert (task["title"], task["due_date"], task["due_local"]) == (
        "Rent",
        "2030-06-15T21:00:00Z",
        "2030-06-16T09:00:00+12:00",
    )
    assert [t["title"] for t in overdue["tasks"]] == ["Old"]
    assert "time_zone" in zone_error
    assert "due_before" in bound_error
