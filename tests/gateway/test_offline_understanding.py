"""What the offline model understands, through the REST chat against the real services, each
checked by its effect on the tasks: the user's time zone (X-Time-Zone), dates and times,
priorities, rescheduling, follow-ups, two requests in one message, more ways to ask for the list."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest

from tests.gateway.chat_client import TIMEOUT, add_task, new_user, tasks, user_input
from todo_testing.tokens import auth_header

AUCKLAND = "Pacific/Auckland"
LOS_ANGELES = "America/Los_Angeles"


def chat(
    gateway_url: str, user: str, message: str, zone: str | None, conversation_id: str | None = None
) -> httpx2.Response:
    headers = auth_header(user) | ({"X-Time-Zone": zone} if zone else {})
    body = {"message": message} | ({"conversation_id": conversation_id} if conversation_id else {})
    return httpx2.post(
        f"{gateway_url}/api/{user}/chat", json=body, headers=headers, timeout=TIMEOUT
    )


class Chat:
    """One REST conversation of a user in a time zone."""

    def __init__(self, gateway_url: str, user: str, zone: str) -> None:
        self.gateway_url, self.user, self.zone = gateway_url, user, zone
        self.conversation_id: str | None = None

    def say(self, message: str) -> str:
        response = chat(self.gateway_url, self.user, message, self.zone, self.conversation_id)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.conversation_id = body["conversation_id"]
        return str(body["response"])


def by_title(mcp_url: str, user: str) -> dict[str, dict[str, Any]]:
    return {task["title"]: task for task in tasks(mcp_url, user)}


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def local_days_ahead(zone: str, days: int, at: time) -> set[datetime]:
    """That wall time `days` after the user's today; both candidates if the day turns meanwhile."""
    tz = ZoneInfo(zone)
    return {datetime.combine(day + timedelta(days=days), at, tzinfo=tz) for day in _local_days(tz)}


def _local_days(tz: ZoneInfo) -> set[date]:
    now = datetime.now(tz)
    return {now.date(), (now + timedelta(minutes=2)).date()}


@pytest.mark.parametrize("zone", [AUCKLAND, LOS_ANGELES])
def test_tomorrow_at_5pm_high_priority_is_the_users_tomorrow(gateway_server, mcp_server, zone):
    user = new_user()
    before = local_days_ahead(zone, 1, time(17))
    reply = Chat(gateway_server.url, user, zone).say(
        "add buy groceries tomorrow at 5pm high priority"
    )
    after = local_days_ahead(zone, 1, time(17))
    [task] = tasks(mcp_server.url, user)
    assert task["title"] == "Buy groceries"
    assert task["priority"] == "high"
    assert instant(task["due_date"]) in before | after
    assert "Buy groceries" in reply


def test_a_bad_time_zone_is_a_problem_naming_the_header(gateway_server, mcp_server):
    user = new_user()
    response = chat(gateway_server.url, user, "add milk", "Mars/Olympus_Mons")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "X-Time-Zone" in response.text
    body = {"type": "threads.create", "params": {"input": user_input("add milk")}, "metadata": {}}
    chatkit = httpx2.post(
        f"{gateway_server.url}/chatkit",
        json=body,
        headers=auth_header(user) | {"X-Time-Zone": "Nowhere/Atall"},
        timeout=TIMEOUT,
    )
    assert chatkit.status_code == 422
    assert "X-Time-Zone" in chatkit.text
    assert tasks(mcp_server.url, user) == []


def test_chatkit_reads_dates_in_the_users_zone(gateway_server, mcp_server):
    user = new_user()
    before = local_days_ahead(AUCKLAND, 1, time(9, 30))
    body = {
        "type": "threads.create",
        "params": {"input": user_input("remind me to call the bank tomorrow at 9:30am")},
        "metadata": {},
    }
    response = httpx2.post(
        f"{gateway_server.url}/chatkit",
        json=body,
        headers=auth_header(user) | {"X-Time-Zone": AUCKLAND},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    after = local_days_ahead(AUCKLAND, 1, time(9, 30))
    [task] = tasks(mcp_server.url, user)
    assert task["title"] == "Call the bank"
    assert instant(task["due_date"]) in before | after


def test_an_all_day_date_and_a_low_priority(gateway_server, mcp_server):
    user = new_user()
    Chat(gateway_server.url, user, LOS_ANGELES).say(
        "I need to remember to renew my passport by the end of the week, low-priority"
    )
    [task] = tasks(mcp_server.url, user)
    assert task["title"] == "Renew my passport"
    assert task["priority"] == "low"
    # All-day, so the date is the local one whichever way it is stored: the week's Sunday.
    assert date.fromisoformat(task["due_date"][:10]).weekday() == 6


def test_reschedule_a_task_named_by_its_title(gateway_server, mcp_server):
    user = new_user()
    dentist = add_task(mcp_server.url, user, "Dentist appointment")
    before = local_days_ahead(AUCKLAND, 1, time(15))
    Chat(gateway_server.url, user, AUCKLAND).say("push the dentist to tomorrow at 3pm")
    after = local_days_ahead(AUCKLAND, 1, time(15))
    task = by_title(mcp_server.url, user)["Dentist appointment"]
    assert task["id"] == dentist["id"]
    assert instant(task["due_date"]) in before | after


def test_follow_ups_act_on_the_task_just_mentioned(gateway_server, mcp_server):
    user = new_user()
    add_task(mcp_server.url, user, "Older task")
    conversation = Chat(gateway_server.url, user, AUCKLAND)
    conversation.say("add call the plumber")
    conversation.say("actually make that high priority")
    assert by_title(mcp_server.url, user)["Call the plumber"]["priority"] == "high"
    conversation.say("mark it done")
    titles = by_title(mcp_server.url, user)
    assert titles["Call the plumber"]["completed"] is True
    assert titles["Older task"]["completed"] is False
    assert titles["Older task"]["priority"] == "medium"


def test_a_follow_up_in_a_new_conversation_asks_which_task(gateway_server, mcp_server):
    user = new_user()
    add_task(mcp_server.url, user, "Water the plants")
    reply = Chat(gateway_server.url, user, AUCKLAND).say("mark it done")
    assert "Which task" in reply
    assert tasks(mcp_server.url, user)[0]["completed"] is False


def test_two_requests_joined_by_and_but_one_task_with_and_in_its_title(gateway_server, mcp_server):
    user = new_user()
    conversation = Chat(gateway_server.url, user, LOS_ANGELES)
    reply = conversation.say("add eggs and add bread")
    conversation.say("add buy salt and pepper")
    assert sorted(by_title(mcp_server.url, user)) == ["Bread", "Buy salt and pepper", "Eggs"]
    assert "Eggs" in reply
    assert "Bread" in reply


@pytest.mark.parametrize(
    ("message", "shown", "hidden"),
    [
        ("what's on my plate?", ["Walk the dog"], ["Mail the letter"]),
        ("anything left?", ["Walk the dog"], ["Mail the letter"]),
        ("show everything", ["Walk the dog", "Mail the letter"], []),
    ],
)
def test_more_ways_to_ask_for_the_list(gateway_server, mcp_server, message, shown, hidden):
    user = new_user()
    add_task(mcp_server.url, user, "Walk the dog")
    done = add_task(mcp_server.url, user, "Mail the letter")
    Chat(gateway_server.url, user, AUCKLAND).say(f"mark task {done['id']} as complete")
    reply = Chat(gateway_server.url, user, AUCKLAND).say(message)
    for title in shown:
        assert title in reply
    for title in hidden:
        assert title not in reply


def test_what_it_cannot_parse_gets_the_honest_answer(gateway_server, mcp_server):
    user = new_user()
    reply = Chat(gateway_server.url, user, AUCKLAND).say("what's the weather in Paris tomorrow?")
    assert "Here is what I can do" in reply
    assert tasks(mcp_server.url, user) == []


def add_due(mcp_url: str, user: str, title: str, due: datetime) -> None:
    response = httpx2.post(
        f"{mcp_url}/api/{user}/tasks",
        json={"title": title, "due_date": due.isoformat()},
        headers=auth_header(user),
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text


def test_due_date_questions_read_the_users_days(gateway_server, mcp_server):
    user = new_user()
    tz = ZoneInfo(AUCKLAND)
    today = datetime.now(tz).date()
    add_due(
        mcp_server.url,
        user,
        "Yesterday thing",
        datetime.combine(today, time(12), tz) - timedelta(days=1),
    )
    add_due(mcp_server.url, user, "Today thing", datetime.combine(today, time(0, 30), tz))
    add_due(
        mcp_server.url,
        user,
        "Far thing",
        datetime.combine(today, time(12), tz) + timedelta(days=20),
    )
    conversation = Chat(gateway_server.url, user, AUCKLAND)

    due_today = conversation.say("what's due today?")
    overdue = conversation.say("anything overdue?")

    assert "Today thing" in due_today
    assert "Yesterday thing" not in due_today
    assert "Far thing" not in due_today
    assert "Yesterday thing" in overdue
    assert "Far thing" not in overdue
