"""What a ChatKit request may hold, checked before anything is stored: a request history-service
would refuse halfway (after `thread.created` has streamed) would leave an empty conversation."""

from chatkit.types import (
    ChatKitReq,
    ItemsFeedbackReq,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    UserMessageInput,
)

from agent_gateway.schemas import MESSAGE_MAX
from agent_gateway.settings import Settings
from todo_common.json_values import check_json
from todo_common.problems import InvalidField


def check_request(request: ChatKitReq, settings: Settings) -> None:
    """Refuse with a 422 naming the field: a user message that is empty, too long, not storable
    (NUL, lone surrogates, numbers out of range, too deep) or with attachments (not supported),
    and feedback on more items than CHATKIT_FEEDBACK_MAX_ITEMS."""
    if isinstance(request, ThreadsCreateReq | ThreadsAddUserMessageReq):
        _check_user_input(request.params.input)
    if isinstance(request, ItemsFeedbackReq):
        most = settings.chatkit_feedback_max_items
        if len(request.params.item_ids) > most:
            raise InvalidField("body", "params.item_ids", f"at most {most} item ids")


def _check_user_input(user_input: UserMessageInput) -> None:
    length = sum(len(part.text) for part in user_input.content)
    if not 1 <= length <= MESSAGE_MAX:
        message = f"a message must be 1 to {MESSAGE_MAX} characters"
        raise InvalidField("body", "params.input.content", message)
    if user_input.attachments:
        raise InvalidField("body", "params.input.attachments", "attachments are not supported")
    try:
        # All of it, not only the text: the whole item is stored with the message.
        check_json(user_input.model_dump(mode="json"))
    except ValueError as exc:
        raise InvalidField("body", "params.input", str(exc)) from exc
