"""The REST chat turn: the same turn and store as ChatKit, plus idempotency by `message_id`."""

from chatkit.types import AssistantMessageItem, ThreadItemDoneEvent, WorkflowItem

from agent_gateway.context import Gateway, RequestContext
from agent_gateway.history_client import StoredToolCall, WindowMessage
from agent_gateway.ids import assistant_message_id, conversation_id_for, new_id
from agent_gateway.items import PARTIAL_KEY, assistant_text, new_user_item
from agent_gateway.schemas import ChatRequest, ChatResponse, ToolCallPublic
from agent_gateway.store import HistoryStore
from agent_gateway.turn import load_window, run_turn, window_size
from todo_common.auth import Principal
from todo_common.problems import Conflict

TURN_MESSAGES_MAX = 50


async def chat(
    gateway: Gateway, store: HistoryStore, caller: Principal, request: ChatRequest
) -> ChatResponse:
    """Store the user message (once), answer it (once), and return the answer."""
    conversation_id = request.conversation_id or await _new_conversation(gateway, caller, request)
    message_id = request.message_id or new_id("msg")
    item = new_user_item(conversation_id, message_id, request.message)
    context = RequestContext(caller)
    try:
        # One round trip stores the message and reads the window the model needs. A missing or
        # foreign conversation makes this a 404; no separate lookup needed.
        window = await store.add_user_item(
            conversation_id, item, context, window=window_size(gateway)
        )
    except Conflict:
        # The id is taken: a retry of this very message, or a reused id (a real conflict).
        await _same_message_or_conflict(gateway, caller, conversation_id, request, message_id)
        if stored := await _stored_answer(gateway, caller, conversation_id, message_id):
            return stored
        window = await load_window(gateway, caller, conversation_id)
    return await _answer(gateway, store, context, conversation_id, message_id, window)


async def _new_conversation(gateway: Gateway, caller: Principal, request: ChatRequest) -> str:
    # Derived from the message id, so a retried first message lands in the same conversation.
    if request.message_id:
        conversation_id = conversation_id_for(caller.user_id, request.message_id)
    else:
        conversation_id = new_id("conv")
    await gateway.history.create_conversation(caller, conversation_id)
    return conversation_id


async def _same_message_or_conflict(
    gateway: Gateway,
    caller: Principal,
    conversation_id: str,
    request: ChatRequest,
    message_id: str,
) -> None:
    existing = await gateway.history.get_message(caller, conversation_id, message_id)
    if existing is None or existing.role != "user" or existing.content != request.message:
        raise Conflict("This message_id was already used for a different message.")


async def _stored_answer(
    gateway: Gateway, caller: Principal, conversation_id: str, message_id: str
) -> ChatResponse | None:
    answer_id = assistant_message_id(message_id)
    answer = await gateway.history.get_message(caller, conversation_id, answer_id)
    if answer is None or (answer.metadata or {}).get(PARTIAL_KEY):
        return None
    page = await gateway.history.list_messages(
        caller, conversation_id, limit=TURN_MESSAGES_MAX, order="asc", after=message_id
    )
    calls: list[StoredToolCall] = []
    for message in page.items:
        if message.id == answer_id:
            break
        calls.extend(message.tool_calls or [] if message.role == "tool" else [])
    return _response(conversation_id, answer.content, calls)


async def _answer(
    gateway: Gateway,
    store: HistoryStore,
    context: RequestContext,
    conversation_id: str,
    message_id: str,
    window: list[WindowMessage],
) -> ChatResponse:
    text, calls, done = "", [], []
    try:
        async for event in run_turn(
            gateway, context, conversation_id, message_id, streaming=False, window=window
        ):
            if not isinstance(event, ThreadItemDoneEvent):
                continue
            if isinstance(event.item, WorkflowItem):
                calls.extend(context.tool_calls.get(event.item.id) or [])
            done.append(event.item)
            if isinstance(event.item, AssistantMessageItem):
                text = assistant_text(event.item)
    finally:
        # Nobody watches a REST turn stream, so its items are stored together, once it ends
        # (after a failure too: tool calls that ran stay in history).
        if done:
            await store.add_turn_items(conversation_id, done, context)
    return _response(conversation_id, text, calls)


def _response(conversation_id: str, text: str, calls: list[StoredToolCall]) -> ChatResponse:
    return ChatResponse(
        conversation_id=conversation_id,
        response=text,
        tool_calls=[
            ToolCallPublic(
                name=call.name, arguments=call.arguments, result=call.result, status=call.status
            )
            for call in calls
        ],
    )
