"""A tool call's arguments as the model wrote them become what history-service stores."""

from types import SimpleNamespace

from agent_gateway.context import RequestContext
from agent_gateway.mcp_tools import OK_MARKER
from agent_gateway.turn_events import TurnEvents


def stored_arguments(raw_arguments: str) -> object:
    events = TurnEvents("conv_1", "msg_1", RequestContext(None))  # type: ignore[arg-type]
    call = {"name": "add_task", "call_id": "c1", "arguments": raw_arguments}
    output = {"call_id": "c1"}
    for item in (
        SimpleNamespace(type="tool_call_item", raw_item=call),
        SimpleNamespace(
            type="tool_call_output_item",
            raw_item=output,
            output='{"task_id": 1}',
            custom_data={OK_MARKER: True},
        ),
    ):
        events.on_agent_event(SimpleNamespace(type="run_item_stream_event", item=item))  # type: ignore[arg-type]
    return events.calls[0].arguments


def test_json_arguments_are_stored_as_an_object():
    assert stored_arguments('{"title": "Milk", "n": 2}') == {"title": "Milk", "n": 2}


def test_arguments_that_are_not_strict_json_are_kept_as_the_models_text():
    # NaN parses with Python's json but is not JSON: history-service would refuse it.
    for raw in ('{"priority": NaN}', "not json", "[1, 2]"):
        assert stored_arguments(raw) == raw


def test_items_handed_over_after_a_run_keep_the_times_their_calls_ran():
    events = TurnEvents("conv_1", "msg_1", RequestContext(None))  # type: ignore[arg-type]
    call = {"name": "list_tasks", "call_id": "c1", "arguments": "{}"}
    items = [
        SimpleNamespace(type="tool_call_item", raw_item=call),
        SimpleNamespace(
            type="tool_call_output_item",
            raw_item={"call_id": "c1"},
            output='{"tasks": []}',
            custom_data={OK_MARKER: True},
        ),
    ]
    for item in items:
        events.on_run_item(item, {"c1": (100.0, 100.25)})  # type: ignore[arg-type]
    [stored] = events.calls
    assert (stored.name, stored.status, stored.duration_ms) == ("list_tasks", "ok", 250.0)
