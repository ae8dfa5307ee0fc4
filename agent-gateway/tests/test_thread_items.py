"""ChatKit items round-trip exactly through history messages."""

from datetime import UTC, datetime

from chatkit.types import AssistantMessageContent, AssistantMessageItem, WorkflowItem

from agent_gateway.history_client import Message, StoredToolCall
from agent_gateway.thread_items import (
    item_to_message,
    message_to_item,
    new_user_item,
    tool_workflow,
)


def stored(write):
    return Message(conversation_id="t", created_at=datetime.now(UTC), **write.model_dump())


def test_items_round_trip_exactly():
    user = new_user_item("t", "m1", "Add milk")
    answer = AssistantMessageItem(
        id="m2",
        thread_id="t",
        created_at=datetime.now(UTC),
        content=[AssistantMessageContent(text="Ok")],
    )
    calls = [
        StoredToolCall(id="c1", name="add_task", arguments={"title": "Milk"}, result={"task_id": 1})
    ]
    workflow = WorkflowItem(
        id="w", thread_id="t", created_at=datetime.now(UTC), workflow=tool_workflow(calls)
    )
    for item, tool_calls in ((user, None), (answer, None), (workflow, calls)):
        write = item_to_message(item, tool_calls)
        assert message_to_item(stored(write)) == item
    assert item_to_message(workflow, calls).role == "tool"
    assert item_to_message(user).content == "Add milk"


def test_messages_from_other_clients_become_items():
    plain = Message(
        id="m", conversation_id="t", role="assistant", content="Hi", created_at=datetime.now(UTC)
    )
    item = message_to_item(plain)
    assert isinstance(item, AssistantMessageItem)
    assert item.content[0].text == "Hi"
