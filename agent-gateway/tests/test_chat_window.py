"""The REST turn reads the window while it stores the user message: the model sees it once."""

from datetime import UTC, datetime

from agent_gateway.chat_service import window_with
from agent_gateway.history_client import Message


def message(message_id: str, role: str = "user") -> Message:
    return Message(
        id=message_id,
        conversation_id="conv_1",
        role=role,
        content=message_id,
        created_at=datetime.now(UTC),
    )


def test_read_before_the_store_gets_the_message_appended_within_the_limit():
    earlier = [message("m1"), message("a1", "assistant"), message("m2")]
    window = window_with(earlier, message("m3"), limit=3)
    assert [m.id for m in window] == ["a1", "m2", "m3"]


def test_read_after_the_store_already_holds_the_message_once():
    earlier = [message("m1"), message("m2")]
    assert [m.id for m in window_with(earlier, message("m2"), limit=40)] == ["m1", "m2"]


def test_an_empty_conversation_is_just_the_message():
    assert [m.id for m in window_with([], message("m1"), limit=40)] == ["m1"]
