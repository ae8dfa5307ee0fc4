"""The offline model's parsing of the documented phrasings (README, "Use it") and close paraphrases."""

import pytest

from agent_gateway.models.offline_intents import Intent, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Add a task to buy groceries", Intent("add", title="Buy groceries")),
        ("I need to remember to pay bills", Intent("add", title="Pay bills")),
        ("create a task called Call the dentist", Intent("add", title="Call the dentist")),
        ("remind me to water the plants.", Intent("add", title="Water the plants")),
        ('Add "Book flights" to my list', Intent("add", title="Book flights")),
        ("Show me all my tasks", Intent("list", status="all")),
        ("What's pending?", Intent("list", status="pending")),
        ("What have I completed?", Intent("list", status="completed")),
        ("what tasks are not done yet?", Intent("list", status="pending")),
        ("my tasks", Intent("list", status="all")),
        ("Mark task 3 as complete", Intent("complete", task_id=3)),
        ("I finished task 2", Intent("complete", task_id=2)),
        ("task 5 is done", Intent("complete", task_id=5)),
        ("I'm done with the laundry", Intent("complete", target="laundry")),
        ("Delete the meeting task", Intent("delete", target="meeting")),
        ("remove task 4", Intent("delete", task_id=4)),
        ("cancel the dentist appointment", Intent("delete", target="dentist appointment")),
        (
            "Change task 1 to 'Call mom tonight'",
            Intent("update", task_id=1, title="Call mom tonight"),
        ),
        (
            "rename the groceries task to Buy milk",
            Intent("update", target="groceries", title="Buy milk"),
        ),
        ("hello", Intent("greet")),
        ("thanks!", Intent("thanks")),
        ("tell me a joke", Intent("help")),
    ],
)
def test_parse(text, expected):
    assert parse(text) == expected


def test_only_task_requests_need_tools():
    assert parse("Add milk").needs_tools
    assert not parse("what can you do?").needs_tools
