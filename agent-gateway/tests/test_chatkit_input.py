"""What a ChatKit request may hold, checked before anything is stored (chatkit_input)."""

from typing import Any

import pytest
from chatkit.types import ChatKitReq
from pydantic import TypeAdapter, ValidationError

from agent_gateway.chatkit_input import check_request
from agent_gateway.settings import Settings
from todo_common.problems import InvalidField

_requests = TypeAdapter[ChatKitReq](ChatKitReq)


def create(text: str = "hi", **extra: Any) -> ChatKitReq:
    """A `threads.create` carrying this text (and extra input fields)."""
    user_input = {"content": [{"type": "input_text", "text": text}], "attachments": []}
    user_input |= {"inference_options": {}, **extra}
    return _requests.validate_python({"type": "threads.create", "params": {"input": user_input}})


def feedback(count: int) -> ChatKitReq:
    """An `items.feedback` naming `count` items."""
    params = {"thread_id": "thr_1", "item_ids": ["msg_1"] * count, "kind": "positive"}
    return _requests.validate_python({"type": "items.feedback", "params": params})


def refused_field(request: ChatKitReq, settings: Settings | None = None) -> str:
    """The field the 422 names."""
    with pytest.raises(InvalidField) as refused:
        check_request(request, settings or Settings())
    assert refused.value.status == 422
    [error] = refused.value.errors or []
    return error.field


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (create("a\x00b"), "params.input"),
        (create("a\ud800b"), "params.input"),
        (create("x" * 10_001), "params.input.content"),
        (create(""), "params.input.content"),
        (create(quoted_text="\x00"), "params.input"),
        (create(attachments=["att_1"]), "params.input.attachments"),
    ],
)
def test_a_user_message_that_cannot_be_stored_is_refused_naming_the_field(
    request_: ChatKitReq, field: str
):
    assert refused_field(request_) == field


@pytest.mark.parametrize("text", ["😀" * 10_000, "x" * 10_000, "\u202eab\u200f"])
def test_a_message_of_up_to_10000_characters_of_any_kind_passes(text: str):
    check_request(create(text), Settings())


def test_feedback_names_at_most_the_configured_number_of_items(monkeypatch):
    check_request(feedback(100), Settings())
    assert refused_field(feedback(101)) == "params.item_ids"

    monkeypatch.setenv("CHATKIT_FEEDBACK_MAX_ITEMS", "3")
    configured = Settings()
    check_request(feedback(3), configured)
    assert refused_field(feedback(4), configured) == "params.item_ids"

    monkeypatch.setenv("CHATKIT_FEEDBACK_MAX_ITEMS", "0")
    with pytest.raises(ValidationError, match="chatkit_feedback_max_items"):
        Settings()
