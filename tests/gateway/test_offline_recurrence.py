"""A repeating task said in plain words, through the REST chat: stored with its RRULE in the
user's zone, and completing it ("mark it done") brings the next occurrence, a week later."""

from datetime import datetime, timedelta

from tests.gateway.chat_client import new_user, tasks
from tests.gateway.test_offline_bulk import say_and_approve
from tests.gateway.test_offline_understanding import AUCKLAND, Chat


def test_every_monday_at_8am_repeats_in_the_users_zone(gateway_server, mcp_server):
    user = new_user()
    conversation = Chat(gateway_server.url, user, AUCKLAND)
    conversation.say("remind me to water the plants every Monday at 8am")
    [task] = tasks(mcp_server.url, user)
    assert task["title"] == "Water the plants"
    assert task["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"
    assert task["time_zone"] == AUCKLAND
    first = datetime.fromisoformat(task["due_local"])
    assert (first.weekday(), first.hour, first.minute) == (0, 8, 0)

    conversation.say("mark it done")

    by_id = {t["id"]: t for t in tasks(mcp_server.url, user)}
    assert by_id[task["id"]]["completed"] is True
    following = by_id[by_id[task["id"]]["next_task_id"]]
    assert following["completed"] is False
    assert datetime.fromisoformat(following["due_local"]).replace(tzinfo=None) == (
        first.replace(tzinfo=None) + timedelta(weeks=1)
    )


def test_each_month_on_the_first_is_an_all_day_monthly_rule(gateway_server, mcp_server):
    user = new_user()
    say_and_approve(
        gateway_server.url, user, "remind me to pay rent each month on the 1st", AUCKLAND
    )
    [task] = tasks(mcp_server.url, user)
    assert task["title"] == "Pay rent"
    assert task["recurrence"] == "FREQ=MONTHLY;BYMONTHDAY=1"
    assert task["due_has_time"] is False
    assert task["due_local"].endswith("-01")
