"""The offline model's reading of dates, times, priorities and recurrence, relative to the user's
local now (a fixed one, in several zones), and of every request class built on them."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from agent_gateway.models.offline_dates import extract_fields
from agent_gateway.models.offline_intents import Intent, parse, parse_all

AUCKLAND = ZoneInfo("Pacific/Auckland")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEAR_MIDNIGHT_UTC = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
"""Already Thursday 3 December in Auckland (12:30), still Wednesday 2 December in Los Angeles."""
WEDNESDAY_EVENING = datetime(2026, 12, 2, 22, 14, tzinfo=AUCKLAND)


@pytest.mark.parametrize(
    ("zone", "due"),
    [
        (AUCKLAND, "2026-12-04T17:00:00+13:00"),
        (LOS_ANGELES, "2026-12-03T17:00:00-08:00"),
        (ZoneInfo("UTC"), "2026-12-03T17:00:00+00:00"),
    ],
)
def test_tomorrow_is_the_users_tomorrow(zone, due):
    now = NEAR_MIDNIGHT_UTC.astimezone(zone)
    intent = parse("add buy groceries tomorrow at 5pm high priority", now)
    assert intent == Intent("add", title="Buy groceries", priority="high", due_date=due)


@pytest.mark.parametrize(
    ("text", "rest", "priority", "due", "recurrence"),
    [
        ("call mom tonight", "call mom", None, "2026-12-02T20:00:00+13:00", None),
        ("dentist next Friday at 3pm", "dentist", None, "2026-12-04T15:00:00+13:00", None),
        ("pay the rent on Dec 15", "pay the rent", None, "2026-12-15", None),
        ("book flights for 15 december", "book flights", None, "2026-12-15", None),
        ("check the oven in 2 hours", "check the oven", None, "2026-12-03T00:14:00+13:00", None),
        ("finish the report by the end of the week", "finish the report", None, "2026-12-06", None),
        ("review the budget by end of month", "review the budget", None, "2026-12-31", None),
        ("call bob at 9", "call bob", None, "2026-12-03T09:00:00+13:00", None),
        ("renew passport, low-priority", "renew passport", "low", None, None),
        ("urgent: fix the roof", "fix the roof", "high", None, None),
        ("file taxes, it's important", "file taxes", "high", None, None),
        ("tidy the shed with medium priority", "tidy the shed", "medium", None, None),
        (
            "water the plants every Monday at 8am",
            "water the plants",
            None,
            "2026-12-07T08:00:00+13:00",
            "FREQ=WEEKLY;BYDAY=MO",
        ),
        (
            "pay rent each month on the 1st",
            "pay rent",
            None,
            "2027-01-01",
            "FREQ=MONTHLY;BYMONTHDAY=1",
        ),
        ("take vitamins daily", "take vitamins", None, "2026-12-02", "FREQ=DAILY"),
        (
            "standup every weekday at 9:30am",
            "standup",
            None,
            "2026-12-03T09:30:00+13:00",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ),
        (
            "gym every 2 weeks on Monday and Thursday",
            "gym",
            None,
            "2026-12-03",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
        ),
        (
            "stretch every day at 7am, 5 times",
            "stretch",
            None,
            "2026-12-03T07:00:00+13:00",
            "FREQ=DAILY;COUNT=5",
        ),
        (
            "renew the car insurance every year",
            "renew the car insurance",
            None,
            "2026-12-02",
            "FREQ=YEARLY",
        ),
        ("buy salt and pepper", "buy salt and pepper", None, None, None),
        ("weekly review", "weekly review", None, None, None),
    ],
)
def test_fields_are_read_and_cut_from_the_text(text, rest, priority, due, recurrence):
    fields = extract_fields(text, WEDNESDAY_EVENING)
    assert (fields.rest, fields.priority, fields.due_date, fields.recurrence) == (
        rest,
        priority,
        due,
        recurrence,
    )


def test_daylight_saving_does_not_move_a_weekly_time():
    # 8 March 2026, Los Angeles springs forward; the first Monday is after it, still 08:00 local.
    now = datetime(2026, 3, 6, 12, 0, tzinfo=LOS_ANGELES)
    fields = extract_fields("water the plants every Monday at 8am", now)
    assert fields.due_date == "2026-03-09T08:00:00-07:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "move the dentist to Friday 3pm",
            Intent("update", target="dentist", due_date="2026-12-04T15:00:00+13:00"),
        ),
        (
            "push task 4 to next friday at 3pm",
            Intent("update", task_id=4, due_date="2026-12-04T15:00:00+13:00"),
        ),
        ("postpone the gym until tomorrow", Intent("update", target="gym", due_date="2026-12-03")),
        ("push it back to tomorrow", Intent("update", refers_back=True, due_date="2026-12-03")),
        ("make task 3 low priority", Intent("update", task_id=3, priority="low")),
        ("actually make that high priority", Intent("update", refers_back=True, priority="high")),
        (
            "set the priority of the report to urgent",
            Intent("update", target="report", priority="high"),
        ),
        ("mark it done", Intent("complete", refers_back=True)),
        ("delete that one", Intent("delete", refers_back=True)),
        ("delete all completed tasks", Intent("delete_completed")),
        ("clear the completed ones", Intent("delete_completed")),
        ("remove the tasks I've finished", Intent("delete_completed")),
        ("complete all of them", Intent("complete_all")),
        ("mark everything as done", Intent("complete_all")),
        ("anything overdue?", Intent("list", status="pending", overdue=True)),
        ("what am I late on?", Intent("list", status="pending", overdue=True)),
        (
            "what's due today?",
            Intent(
                "list",
                status="pending",
                due_after="2026-12-02T00:00:00+13:00",
                due_before="2026-12-03T00:00:00+13:00",
            ),
        ),
        (
            "what do I have due tomorrow?",
            Intent(
                "list",
                status="pending",
                due_after="2026-12-03T00:00:00+13:00",
                due_before="2026-12-04T00:00:00+13:00",
            ),
        ),
        (
            "what's due this week?",
            Intent(
                "list",
                status="pending",
                due_after="2026-12-02T00:00:00+13:00",
                due_before="2026-12-07T00:00:00+13:00",
            ),
        ),
        ("what's on my plate?", Intent("list", status="pending")),
        ("show everything", Intent("list", status="all")),
        ("anything left?", Intent("list", status="pending")),
        (
            "Change task 1 to 'Call mom tonight'",
            Intent("update", task_id=1, title="Call mom tonight"),
        ),
        ("what's the weather tomorrow?", Intent("help")),
    ],
)
def test_requests(text, expected):
    assert parse(text, WEDNESDAY_EVENING) == expected


def test_two_requests_joined_by_and_but_one_task_with_and_in_its_title():
    assert parse_all("add eggs and add bread", WEDNESDAY_EVENING) == [
        Intent("add", title="Eggs"),
        Intent("add", title="Bread"),
    ]
    assert parse_all(
        "add call mom tonight and remind me to book flights on Dec 15", WEDNESDAY_EVENING
    ) == [
        Intent("add", title="Call mom", due_date="2026-12-02T20:00:00+13:00"),
        Intent("add", title="Book flights", due_date="2026-12-15"),
    ]
    assert parse_all("add buy salt and pepper", WEDNESDAY_EVENING) == [
        Intent("add", title="Buy salt and pepper")
    ]
    assert parse_all("add milk and tell me a joke", WEDNESDAY_EVENING) == [
        Intent("add", title="Milk and tell me a joke")
    ]
