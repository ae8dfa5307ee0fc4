"""Repeating tasks: the RRULE subset, its words, and completing an occurrence creating the next
exactly once, at the same local time across daylight-saving changes."""

import asyncio
from typing import Any

import httpx2
import pytest

from todo_mcp.recurrence import following, in_words
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header

from .conftest import mcp_client
from .test_idempotency_tools import keyed_call, new_key
from .test_mcp_tools import call, error


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=DAILY", "every day"),
        ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
        ("FREQ=WEEKLY;BYDAY=MO", "every Monday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "every Monday, Wednesday and Friday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "every 2 weeks on Monday and Thursday"),
        ("FREQ=WEEKLY", "every week"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "every month on the 1st"),
        ("FREQ=MONTHLY;BYMONTHDAY=22,-1", "every month on the 22nd and last day"),
        ("FREQ=YEARLY", "every year"),
        ("FREQ=DAILY;UNTIL=20301231", "every day until December 31, 2030"),
        ("FREQ=MONTHLY;BYMONTHDAY=11;COUNT=5", "every month on the 11th, 5 times"),
    ],
)
def test_a_rule_in_words(rule: str, words: str) -> None:
    assert in_words(rule) == words


async def add(api: httpx2.AsyncClient, user: str, zone: str, **body: Any) -> dict[str, Any]:
    headers = auth_header(user) | {"X-Time-Zone": zone}
    response = await api.post(f"/api/{user}/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def toggle(api: httpx2.AsyncClient, user: str, task_id: int) -> dict[str, Any]:
    url = f"/api/{user}/tasks/{task_id}/complete"
    response = await api.patch(url, headers=auth_header(user))
    assert response.status_code == 200, response.text
    return response.json()


async def get(api: httpx2.AsyncClient, user: str, task_id: int) -> dict[str, Any]:
    response = await api.get(f"/api/{user}/tasks/{task_id}", headers=auth_header(user))
    assert response.status_code == 200, response.text
    return response.json()


async def all_titles(api: httpx2.AsyncClient, user: str) -> list[str]:
    response = await api.get(f"/api/{user}/tasks", headers=auth_header(user))
    return [task["title"] for task in response.json()["tasks"]]


@pytest.mark.parametrize(
    ("due", "next_local", "next_utc"),
    [
        ("2030-03-09T09:00", "2030-03-10T09:00:00-04:00", "2030-03-10T13:00:00Z"),
        ("2030-11-02T09:00", "2030-11-03T09:00:00-05:00", "2030-11-03T14:00:00Z"),
    ],
)
async def test_a_daily_nine_oclock_stays_at_nine_across_dst(
    api: httpx2.AsyncClient, user: str, due: str, next_local: str, next_utc: str
):
    task = await add(
        api, user, "America/New_York", title="Stretch", due_date=due, recurrence="FREQ=DAILY"
    )
    assert task["recurrence_text"] == "every day"
    done = await toggle(api, user, task["id"])

    following_task = await get(api, user, done["next_task_id"])
    assert (following_task["due_local"], following_task["due_date"]) == (next_local, next_utc)
    assert (following_task["title"], following_task["recurrence"]) == ("Stretch", "FREQ=DAILY")
    assert following_task["completed"] is False


async def test_monthly_on_the_31st_skips_months_without_one(api: httpx2.AsyncClient, user: str):
    rule = "FREQ=MONTHLY;BYMONTHDAY=31"
    task = await add(api, user, "UTC", title="Report", due_date="2030-01-31", recurrence=rule)
    done = await toggle(api, user, task["id"])
    assert (await get(api, user, done["next_task_id"]))["due_local"] == "2030-03-31"


async def test_count_and_until_end_the_series(api: httpx2.AsyncClient, user: str):
    counted = await add(
        api, user, "UTC", title="Twice", due_date="2030-05-01", recurrence="FREQ=DAILY;COUNT=2"
    )
    second_id = (await toggle(api, user, counted["id"]))["next_task_id"]
    second = await get(api, user, second_id)
    assert (second["due_local"], second["recurrence_text"]) == ("2030-05-02", "every day, once")
    assert (await toggle(api, user, second_id))["next_task_id"] is None

    until = await add(
        api,
        user,
        "Europe/Paris",
        title="Until",
        due_date="2030-05-09T08:00",
        recurrence="FREQ=DAILY;UNTIL=20300510",
    )
    last_id = (await toggle(api, user, until["id"]))["next_task_id"]
    assert (await get(api, user, last_id))["due_local"] == "2030-05-10T08:00:00+02:00"
    assert (await toggle(api, user, last_id))["next_task_id"] is None
    assert sorted(await all_titles(api, user)) == ["Twice", "Twice", "Until", "Until"]


async def test_completing_again_or_reopening_creates_no_second_occurrence(
    api: httpx2.AsyncClient, user: str
):
    task = await add(
        api, user, "UTC", title="Gym", due_date="2030-05-06", recurrence="FREQ=WEEKLY;BYDAY=MO"
    )
    first = await toggle(api, user, task["id"])
    await toggle(api, user, task["id"])  # reopened
    again = await toggle(api, user, task["id"])

    assert again["next_task_id"] == first["next_task_id"]
    assert await all_titles(api, user) == ["Gym", "Gym"]
    assert (await get(api, user, first["next_task_id"]))["due_local"] == "2030-05-13"


async def test_concurrent_and_retried_completions_create_one_next_task(
    server: ServiceProcess, user: str
):
    key = new_key()
    async with mcp_client(server.url, user) as client:
        added = await call(
            client, "add_task", title="Pay rent", due_date="2030-06-01", recurrence="FREQ=MONTHLY"
        )
    task_id = added["task_id"]

    async def complete() -> dict[str, Any]:
        async with mcp_client(server.url, user) as client:
            return await call(client, "complete_task", task_id=task_id)

    results = await asyncio.gather(*(complete() for _ in range(4)))
    async with mcp_client(server.url, user) as client:
        retried = [await keyed_call(client, "complete_task", key, task_id=task_id) for _ in "ab"]
        listed = (await call(client, "list_tasks"))["tasks"]

    next_ids = {result["next_task"]["id"] for result in [*results, *retried]}
    assert len(next_ids) == 1
    assert [(t["title"], t["due_local"]) for t in listed] == [
        ("Pay rent", "2030-06-01"),
        ("Pay rent", "2030-07-01"),
    ]
    assert retried[0] == retried[1]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=DAILY;BYMONTHDAY=3",
        "FREQ=DAILY;COUNT=2;UNTIL=20301231",
        "FREQ=DAILY;BYSETPOS=1",
        "FREQ=DAILY;COUNT=0",
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=MONTHLY;BYMONTHDAY=0",
        "FREQ=DAILY;" + "INTERVAL=1;" * 30,
        "FREQ=DAILY;UNTIL=tomorrow",
        "every monday",
    ],
)
async def test_a_rule_outside_the_subset_is_refused_naming_recurrence(
    api: httpx2.AsyncClient, user: str, rule: str
):
    response = await api.post(
        f"/api/{user}/tasks",
        json={"title": "x", "due_date": "2030-01-01", "recurrence": rule},
        headers=auth_header(user),
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["recurrence"]
    assert await all_titles(api, user) == []


async def test_a_repeat_needs_a_due_date_and_an_empty_rule_stops_it(
    server: ServiceProcess, user: str
):
    async with mcp_client(server.url, user) as client:
        undated = await error(client, "add_task", title="x", recurrence="FREQ=DAILY")
        added = await call(
            client, "add_task", title="y", due_date="2030-01-01", recurrence="FREQ=DAILY"
        )
        await call(client, "update_task", task_id=added["task_id"], recurrence="")
        done = await call(client, "complete_task", task_id=added["task_id"])
        [task] = (await call(client, "list_tasks"))["tasks"]

    assert "recurrence" in undated
    assert "next_task" not in done  # no repeat left: nothing was created
    assert (task["recurrence"], task["recurrence_text"]) == (None, None)


def test_the_next_occurrence_of_an_all_day_task_is_a_date() -> None:
    from datetime import date
    from zoneinfo import ZoneInfo

    assert following("FREQ=YEARLY", date(2032, 2, 29), ZoneInfo("UTC")) == (
        date(2036, 2, 29),
        "FREQ=YEARLY",
    )
