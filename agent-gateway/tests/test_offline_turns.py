"""The offline model's turns: the user's local now from the instructions, arguments the tools
accept, several requests in one message, "it" from the conversation, bulk and refused calls."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openai.types.responses import ResponseFunctionToolCall

from agent_gateway.local_time import local_now_sentence
from agent_gateway.models.offline import OfflineModel
from agent_gateway.models.offline_replies import NOTHING_CHANGED

AUCKLAND_NOW = local_now_sentence(
    datetime(2026, 12, 2, 22, 14, tzinfo=ZoneInfo("Pacific/Auckland"))
)
ARGUMENTS = {
    "add_task": ["title", "priority", "due_date", "time_zone", "recurrence"],
    "list_tasks": ["status", "limit", "due_before", "due_after", "overdue", "time_zone"],
    "update_task": ["task_id", "title", "priority", "due_date", "time_zone", "recurrence"],
    "complete_task": ["task_id"],
    "delete_task": ["task_id"],
    "delete_tasks": ["task_ids", "completed"],
    "complete_tasks": ["task_ids"],
}


@dataclass
class SchemaTool:
    name: str
    params_json_schema: dict[str, Any] = field(default_factory=dict)


def tools(arguments: dict[str, list[str]] = ARGUMENTS) -> list[SchemaTool]:
    return [
        SchemaTool(name, {"type": "object", "properties": {key: {} for key in names}})
        for name, names in arguments.items()
    ]


def step(items, available=None, instructions=AUCKLAND_NOW):
    return OfflineModel().next_output(items, available or tools(), instructions)


def answered(items, call, output):
    return [
        *items,
        {
            "type": "function_call",
            "call_id": call.call_id,
            "name": call.name,
            "arguments": call.arguments,
        },
        {
            "type": "function_call_output",
            "call_id": call.call_id,
            "output": json.dumps(output) if not isinstance(output, str) else output,
        },
    ]


def arguments(call) -> dict[str, Any]:
    assert isinstance(call, ResponseFunctionToolCall)
    return json.loads(call.arguments)


def test_dates_are_the_users_with_their_zone():
    call = step([{"role": "user", "content": "add buy groceries tomorrow at 5pm high priority"}])
    assert call.name == "add_task"
    assert arguments(call) == {
        "title": "Buy groceries",
        "priority": "high",
        "due_date": "2026-12-03T17:00:00+13:00",
        "time_zone": "Pacific/Auckland",
    }


def test_only_arguments_the_tool_accepts_are_sent():
    older = {**ARGUMENTS, "add_task": ["title", "priority", "due_date"]}
    call = step(
        [{"role": "user", "content": "remind me to stretch every day at 7am"}], tools(older)
    )
    assert arguments(call) == {"title": "Stretch", "due_date": "2026-12-03T07:00:00+13:00"}


def test_two_requests_run_one_after_the_other_and_both_are_confirmed():
    items = [{"role": "user", "content": "add eggs and add bread"}]
    first = step(items)
    assert arguments(first) == {"title": "Eggs"}
    items = answered(items, first, {"task_id": 1, "status": "created", "title": "Eggs"})
    second = step(items)
    assert arguments(second) == {"title": "Bread"}
    items = answered(items, second, {"task_id": 2, "status": "created", "title": "Bread"})
    reply = step(items).content[0].text
    assert '"Eggs"' in reply
    assert '"Bread"' in reply


def test_it_is_the_task_the_conversation_mentioned_last():
    items = [{"role": "user", "content": "add call the plumber"}]
    add = step(items)
    items = answered(items, add, {"task_id": 7, "status": "created", "title": "Call the plumber"})
    items += [
        {"role": "assistant", "content": 'Done! I added "Call the plumber" (task #7).'},
        {"role": "user", "content": "actually make that high priority"},
    ]
    update = step(items)
    assert update.name == "update_task"
    assert arguments(update) == {"task_id": 7, "priority": "high"}
    items = answered(
        items, update, {"task_id": 7, "status": "updated", "title": "Call the plumber"}
    )
    items += [
        {"role": "assistant", "content": "Updated!"},
        {"role": "user", "content": "mark it done"},
    ]
    assert arguments(step(items)) == {"task_id": 7}


def test_it_without_an_earlier_task_asks_which():
    reply = step([{"role": "user", "content": "mark it done"}])
    assert "Which task do you mean?" in reply.content[0].text


def test_due_queries_pass_the_window_and_the_zone():
    call = step([{"role": "user", "content": "what's due today?"}])
    assert arguments(call) == {
        "status": "pending",
        "limit": 100,
        "due_after": "2026-12-02T00:00:00+13:00",
        "due_before": "2026-12-03T00:00:00+13:00",
        "time_zone": "Pacific/Auckland",
    }
    overdue = step([{"role": "user", "content": "is anything overdue?"}])
    assert arguments(overdue) == {"status": "pending", "limit": 100, "overdue": True}


def test_delete_all_completed_is_one_bulk_call_and_a_refusal_changes_nothing():
    items = [{"role": "user", "content": "delete all completed tasks"}]
    call = step(items)
    assert call.name == "delete_tasks"
    assert arguments(call) == {"completed": True}
    done = answered(items, call, {"status": "deleted", "count": 2, "task_ids": [3, 4]})
    assert step(done).content[0].text == "Done, I deleted 2 completed tasks."
    refused = answered(items, call, "Tool execution was manually rejected by user.")
    assert step(refused).content[0].text == NOTHING_CHANGED


def test_complete_all_lists_the_pending_then_completes_them_at_once():
    items = [{"role": "user", "content": "complete all of them"}]
    listing = step(items)
    assert arguments(listing) == {"status": "pending", "limit": 100}
    tasks = [
        {"id": 5, "title": "A", "completed": False},
        {"id": 6, "title": "B", "completed": False},
    ]
    items = answered(items, listing, {"tasks": tasks, "count": 2})
    call = step(items)
    assert call.name == "complete_tasks"
    assert arguments(call) == {"task_ids": [5, 6]}


def test_a_bulk_request_without_its_tool_says_so():
    without = {name: names for name, names in ARGUMENTS.items() if name != "delete_tasks"}
    reply = step([{"role": "user", "content": "delete all completed tasks"}], tools(without))
    assert "unavailable" in reply.content[0].text
