"""The offline model as the Agents SDK sees it: tool chaining, replies and streamed events."""

import json
from dataclasses import dataclass

from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage

from agent_gateway.models.offline import OfflineModel, stream_events

TOOLS = ["add_task", "list_tasks", "complete_task", "delete_task", "update_task"]


@dataclass
class FakeTool:
    name: str


def step(items, tools=TOOLS):
    return OfflineModel().next_output(items, [FakeTool(name) for name in tools])


def answered(items, call, output):
    return [
        *items,
        {
            "type": "function_call",
            "call_id": call.call_id,
            "name": call.name,
            "arguments": call.arguments,
        },
        {"type": "function_call_output", "call_id": call.call_id, "output": json.dumps(output)},
    ]


def test_title_reference_lists_then_acts_on_the_single_match():
    items = [{"role": "user", "content": "Delete the meeting task"}]
    listing = step(items)
    assert isinstance(listing, ResponseFunctionToolCall)
    assert listing.name == "list_tasks"
    tasks = [{"id": 4, "title": "Team meeting", "completed": False}, {"id": 5, "title": "Milk"}]
    items = answered(items, listing, {"tasks": tasks, "count": 2})
    delete = step(items)
    assert delete.name == "delete_task"
    assert json.loads(delete.arguments) == {"task_id": 4}
    items = answered(items, delete, {"task_id": 4, "status": "deleted", "title": "Team meeting"})
    reply = step(items)
    assert isinstance(reply, ResponseOutputMessage)
    assert reply.content[0].text == 'Done, I deleted task #4 "Team meeting".'


def test_several_matches_ask_which():
    items = [{"role": "user", "content": "complete the report task"}]
    tasks = [{"id": 1, "title": "Write report"}, {"id": 2, "title": "Send report"}]
    reply = step(answered(items, step(items), {"tasks": tasks, "count": 2}))
    assert "Which one did you mean?" in reply.content[0].text


def test_earlier_turns_do_not_count_as_this_turns_steps():
    old_call = step([{"role": "user", "content": "Add milk"}])
    items = answered(
        [{"role": "user", "content": "Add milk"}], old_call, {"task_id": 1, "title": "Milk"}
    )
    items += [{"role": "assistant", "content": "Done!"}, {"role": "user", "content": "Add eggs"}]
    call = step(items)
    assert call.name == "add_task"
    assert json.loads(call.arguments) == {"title": "Eggs"}


def test_tool_error_and_missing_tools_are_said_plainly():
    items = [{"role": "user", "content": "Mark task 9 as complete"}]
    call = step(items)
    failed = [
        *items[:1],
        {
            "type": "function_call",
            "call_id": call.call_id,
            "name": call.name,
            "arguments": call.arguments,
        },
        {"type": "function_call_output", "call_id": call.call_id, "output": "Task 9 not found"},
    ]
    assert "couldn't find task #9" in step(failed).content[0].text
    assert "unavailable" in step(items, tools=[]).content[0].text


def test_text_streams_a_few_words_at_a_time_and_completes():
    message = step([{"role": "user", "content": "hi"}])
    events = stream_events(message)
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) > 3
    assert "".join(deltas) == message.content[0].text
    assert events[-1].type == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))


def test_title_words_match_across_word_forms():
    from agent_gateway.models.offline_policy import find_matches

    tasks = [{"id": 1, "title": "Water the plants"}, {"id": 2, "title": "Book flights"}]
    assert find_matches(tasks, "watering the plants") == [tasks[0]]
    assert find_matches(tasks, "flight") == [tasks[1]]
