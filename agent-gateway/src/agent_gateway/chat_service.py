"""The REST turn (`POST /api/{user_id}/chat`): the same turn as ChatKit, plus idempotency by
`message_id` — a retry of a finished turn gets its stored answer, of an unfinished one continues it.
Every request, a retry too, is admitted by the per-user turn limits first (limits.py).
"""

from zoneinfo import ZoneInfo

from agent_gateway import approvals
from agent_gateway.agent import UTC_ZONE
from agent_gateway.history_client import Message, StoredToolCall
from agent_gateway.ids import conversation_id_for
from agent_gateway.limits import admit_turn
from agent_gateway.schemas import ChatRequest, ChatResponse, Decision, ToolCallPublic
from agent_gateway.thread_items import new_user_item
from agent_gateway.turn import (
    RequestContext,
    Services,
    Turn,
    TurnHistory,
    TurnResult,
    load_turn_history,
    paused_turn,
    store_user_message,
)
from todo_common.auth import Principal
from todo_common.ids import new_id
from todo_common.problems import Conflict, ServiceUnavailable


class TurnUnfinished(ServiceUnavailable):
    """The task tools could not be reached: the reply is stored, and a retry with the same
    `message_id` finishes the turn (a change already made is not made again). The problem
    carries the reply as `conversation_id`, `response` and `tool_calls`."""

    def __init__(self, response: ChatResponse) -> None:
        super().__init__(
            "The task tools could not be reached, so the request may not have been carried out. "
            "Retry with the same message_id to finish it."
        )
        self.extensions = response.model_dump(mode="json")


async def chat(
    services: Services,
    caller: Principal,
    request: ChatRequest,
    time_zone: ZoneInfo = UTC_ZONE,
) -> ChatResponse:
    """Store the user message (once), answer it (once), and return the answer.

    Refused with TooManyRequests (429) before anything is stored when the caller is over a turn
    limit. A retry of a turn that finished gets the stored answer; of one that did not, the turn
    continues from what it had stored; of one still running elsewhere, TurnInProgress (409)."""
    async with await admit_turn(services.history, services.settings, caller):
        return await _chat(services, RequestContext(caller, time_zone=time_zone), request)


async def _chat(services: Services, context: RequestContext, request: ChatRequest) -> ChatResponse:
    caller = context.principal
    conversation_id = request.conversation_id or await _new_conversation(services, caller, request)
    history = await _turn_history(services, context, conversation_id, request)
    if history.finished:
        assert history.answer is not None
        answer = history.answer
        pending = approvals.pending_of(answer.metadata)
        stored = TurnResult(
            answer.content, history.tool_calls, finished=True, pending_approval=pending
        )
        return turn_response(conversation_id, stored)
    turn = Turn(services, context, conversation_id, history)
    async for _event in turn.run(streamed=False):
        pass  # nobody watches a REST turn: its items are stored as they finish
    assert turn.result is not None
    response = turn_response(conversation_id, turn.result)
    if not turn.result.finished:
        raise TurnUnfinished(response)
    return response


async def decide(
    services: Services, context: RequestContext, approval_id: str, decision: Decision
) -> ChatResponse:
    """Answer a pending approval: approved, the paused turn resumes and its change runs once;
    rejected, nothing runs. The same decision again gets the same answer; another is 409, an
    expired approval 410."""
    caller = context.principal
    async with await admit_turn(services.history, services.settings, caller):
        approval = (await services.history.decide_approval(caller, approval_id, decision)).approval
        if approval.outcome is not None:
            return ChatResponse.model_validate(approval.outcome)
        # Not carried out yet (this request decided, or an earlier one stopped midway).
        turn = await paused_turn(services, context, approval)
        async for _event in turn.carry_out(approval, streamed=False):
            pass
        assert turn.result is not None
        response = turn_response(approval.conversation_id, turn.result)
        if not turn.result.finished:
            raise TurnUnfinished(response)
        await services.history.record_approval_outcome(
            caller, approval_id, response.model_dump(mode="json")
        )
        return response


async def _new_conversation(services: Services, caller: Principal, request: ChatRequest) -> str:
    # Derived from the message id, so a retried first message lands in the same conversation.
    if request.message_id:
        conversation_id = conversation_id_for(caller.user_id, request.message_id)
    else:
        conversation_id = new_id("conv")
    await services.history.create_conversation(caller, conversation_id)
    return conversation_id


async def _turn_history(
    services: Services, context: RequestContext, conversation_id: str, request: ChatRequest
) -> TurnHistory:
    """Store the user message; the history of its turn (empty for a new message)."""
    message_id = request.message_id or new_id("msg")
    item = new_user_item(conversation_id, message_id, request.message)
    try:
        return await store_user_message(services, context, conversation_id, item)
    except Conflict:
        # The id is taken: a retry of this very message, or a reused id (a real conflict).
        stored = await _same_message(
            services, context.principal, conversation_id, request, message_id
        )
        return await load_turn_history(services, context.principal, conversation_id, stored)


async def _same_message(
    services: Services,
    caller: Principal,
    conversation_id: str,
    request: ChatRequest,
    message_id: str,
) -> Message:
    existing = await services.history.get_message(caller, conversation_id, message_id)
    if existing is None or existing.role != "user" or existing.content != request.message:
        raise Conflict("This message_id was already used for a different message.")
    return existing


def turn_response(conversation_id: str, result: TurnResult) -> ChatResponse:
    """The REST answer of a turn."""
    return ChatResponse(
        conversation_id=conversation_id,
        response=result.answer,
        tool_calls=[_public_call(call) for call in result.tool_calls],
        pending_approval=result.pending_approval,
    )


def _public_call(call: StoredToolCall) -> ToolCallPublic:
    return ToolCallPublic(
        name=call.name, arguments=call.arguments, result=call.result, status=call.status
    )
