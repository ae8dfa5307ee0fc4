"""The ChatKit turn: `POST /chatkit` handled by an openai-chatkit `ChatKitServer` that answers each
user message with one `Turn`, over a ChatKit `Store` backed by history-service (thread =
conversation, item = message).

In the order a request runs: `TodoChatKitServer.handle` checks what the request names and, for a
request that runs a turn, claims the caller's turn slot (limits.py: refused, the answer is one
error event and nothing is stored; admitted, the slot is released when the stream ends); ChatKit's
`process` stores the user message (`HistoryStore.add_thread_item`, holding the turn lease), then
calls `respond`, which loads the turn's history and streams the turn's events.
"""

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from chatkit.actions import Action
from chatkit.errors import CustomStreamError
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.store import Store, StoreItemType
from chatkit.types import (
    AssistantMessageItem,
    Attachment,
    ChatKitReq,
    ErrorEvent,
    FeedbackKind,
    Page,
    ThreadItem,
    ThreadItemRemovedEvent,
    ThreadMetadata,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsCustomActionReq,
    ThreadsRetryAfterItemReq,
    ThreadStreamEvent,
    UserMessageItem,
    WidgetItem,
)
from fastapi import Response
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter, ValidationError

from agent_gateway import approvals
from agent_gateway.agent import UTC_ZONE
from agent_gateway.chat_service import turn_response
from agent_gateway.chatkit_input import check_request
from agent_gateway.history_client import Gone, HistoryClient, Message
from agent_gateway.ids import assistant_message_id
from agent_gateway.limits import TurnAdmission, admit_turn, refusal_message
from agent_gateway.thread_items import assistant_text, item_to_message, message_to_item
from agent_gateway.turn import (
    ModelFailed,
    ModelUnavailable,
    RequestContext,
    Services,
    Turn,
    TurnInProgress,
    TurnTimedOut,
    load_turn_history,
    paused_turn,
    save_answer,
    with_lease,
)
from todo_common.auth import Principal
from todo_common.ids import new_id
from todo_common.problems import (
    FieldError,
    InvalidInput,
    NotFound,
    ProblemError,
    TooManyRequests,
)

logger = logging.getLogger(__name__)
_requests = TypeAdapter[ChatKitReq](ChatKitReq)
_PREFIXES = {"message": "msg", "workflow": "wf", "tool_call": "tc", "task": "tsk"}
MAX_MESSAGES_PAGE = 200
MAX_THREADS_PAGE = 100
# The requests that run a turn, each admitted by the turn limits first.
TURN_REQUESTS = (
    ThreadsCreateReq,
    ThreadsAddUserMessageReq,
    ThreadsRetryAfterItemReq,
    ThreadsCustomActionReq,
)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class TodoChatKitServer(ChatKitServer[RequestContext]):
    """Answers each user message with one turn; keeps no conversation state between requests."""

    def __init__(self, services: Services, store: "HistoryStore") -> None:
        super().__init__(store)
        self.services = services
        self.history_store = store

    async def handle(
        self, body: bytes, caller: Principal, time_zone: ZoneInfo = UTC_ZONE
    ) -> Response:
        """Run one ChatKit request; errors before the first event become problem responses."""
        try:
            parsed = _requests.validate_json(body)
        except ValidationError as exc:
            raise InvalidInput("Not a ChatKit request.", errors=_field_errors(exc)) from exc
        check_request(parsed, self.services.settings)
        context = RequestContext(caller, time_zone=time_zone)
        if isinstance(parsed, ThreadsRetryAfterItemReq):
            await self.store.load_item(parsed.params.thread_id, parsed.params.item_id, context)
        admission: TurnAdmission | None = None
        if isinstance(parsed, TURN_REQUESTS):
            try:
                admission = await admit_turn(self.services.history, self.services.settings, caller)
            except TooManyRequests as refused:
                return _refusal_stream(refused)
        try:
            result = await self.process(body, context)
            if not isinstance(result, StreamingResult):
                return Response(result.json, media_type="application/json")
            events = aiter(result)
            # Pull the first event before answering: a missing thread or an unreachable
            # history-service is then a 404/503 problem instead of a 200 stream that is cut short.
            first = await anext(events, b"")
            # From here the stream holds the slot, and releases it when it ends.
            stream, admission = _chain(first, events, admission), None
            return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)
        finally:
            if admission is not None:
                await admission.release()

    async def respond(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Run the turn for the stored user message: a new one, or one retried after a turn that
        did not finish (its stored tool calls are kept, and the turn continues after them)."""
        if input_user_message is None:
            return
        services, caller = self.services, context.principal
        try:
            message = await services.history.get_message(caller, thread.id, input_user_message.id)
            if message is None:
                raise NotFound("The thread has no such item.")
            history = await load_turn_history(services, caller, thread.id, message)
            async for event in Turn(services, context, thread.id, history).run():
                yield event
        except ProblemError as exc:
            raise CustomStreamError(stream_error_message(exc), allow_retry=True) from exc

    async def action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """The confirm/cancel card's buttons: carry out the user's decision on the approval (the
        same as REST's `POST /api/{user}/chat/approvals/{id}`), the card gone from the thread."""
        if action.type != approvals.DECIDE_ACTION:
            raise CustomStreamError("This action is not supported.", allow_retry=False)
        try:
            chosen = approvals.DecideAction.model_validate(action.payload)
        except ValidationError as exc:
            raise CustomStreamError("This action is not valid.", allow_retry=False) from exc
        services, caller = self.services, context.principal
        try:
            # Checked before the decision is recorded: a card of another thread changes nothing.
            parked = await services.history.get_approval(caller, chosen.approval_id)
            if parked.conversation_id != thread.id:
                raise NotFound("This card belongs to another conversation.")
            decided = await services.history.decide_approval(
                caller, chosen.approval_id, chosen.decision
            )
        except Gone as exc:
            raise CustomStreamError(approvals.EXPIRED, allow_retry=False) from exc
        except ProblemError as exc:
            raise CustomStreamError(stream_error_message(exc), allow_retry=True) from exc
        approval = decided.approval
        yield ThreadItemRemovedEvent(item_id=approval.id)
        if approval.outcome is not None:
            return  # carried out by an earlier request: the thread shows its answer already
        try:
            turn = await paused_turn(services, context, approval)
            async for event in turn.carry_out(approval):
                yield event
            assert turn.result is not None
            if turn.result.finished:
                outcome = turn_response(thread.id, turn.result).model_dump(mode="json")
                await services.history.record_approval_outcome(caller, approval.id, outcome)
        except ProblemError as exc:
            raise CustomStreamError(stream_error_message(exc), allow_retry=True) from exc

    async def add_feedback(
        self,
        thread_id: str,
        item_ids: list[str],
        feedback: FeedbackKind,
        context: RequestContext,
    ) -> None:
        """Keep the feedback with the items it is about."""
        await self.store.load_thread(thread_id, context)
        await self.history_store.set_feedback(thread_id, item_ids, feedback, context)

    async def handle_stream_cancelled(
        self, thread: ThreadMetadata, pending_items: list[ThreadItem], context: RequestContext
    ) -> None:
        """The client went away: keep the partial answer (its tool calls are stored already)."""
        # Shielded: the request's own cancellation would otherwise cancel these writes too.
        with anyio.CancelScope(shield=True):
            for item in pending_items:
                if isinstance(item, AssistantMessageItem) and assistant_text(item).strip():
                    try:
                        await save_answer(
                            self.services.history,
                            context.principal,
                            thread.id,
                            item,
                            finished=False,
                        )
                    except ProblemError:
                        logger.warning("could not store the partial item %s", item.id)


def stream_error_message(exc: ProblemError) -> str:
    """What a ChatKit user reads when a turn fails; their message is already stored."""
    if isinstance(exc, TurnInProgress):
        return "This message is still being answered. Please retry in a moment."
    if isinstance(exc, TurnTimedOut):
        return "That took too long, so I stopped. Changes already made are kept; please retry."
    if isinstance(exc, ModelUnavailable | ModelFailed):
        return "The assistant's language model is unavailable right now. Your message is saved; please retry."
    if exc.status in (502, 503):
        return "Your conversation history could not be reached. Please retry in a moment."
    return exc.detail or "Something went wrong. Please retry."


async def _chain(
    first: bytes, rest: AsyncIterator[bytes], admission: TurnAdmission | None
) -> AsyncIterator[bytes]:
    try:
        if first:
            yield first
        async for chunk in rest:
            yield chunk
    finally:
        if admission is not None:
            await admission.release()


def _refusal_stream(refused: TooManyRequests) -> StreamingResponse:
    """The answer to a turn a limit refused: one error event telling when to retry. Nothing was
    stored (no thread, no message), so the user sends the message again rather than retrying."""
    event = ErrorEvent(message=refusal_message(refused), allow_retry=False)

    async def one_event() -> AsyncIterator[bytes]:
        yield b"data: " + event.model_dump_json(exclude_none=True).encode() + b"\n\n"

    headers = {**SSE_HEADERS, "Retry-After": str(refused.retry_after)}
    return StreamingResponse(one_event(), media_type="text/event-stream", headers=headers)


def _field_errors(exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(
            location="body",
            field=".".join(str(part) for part in error["loc"]) or "body",
            message=error["msg"],
        )
        for error in exc.errors()[:20]
    ]


def _open_card(message: Message) -> WidgetItem | None:
    """The confirm/cancel card after an answer that asks for a decision still open."""
    pending = approvals.pending_of(message.metadata)
    if pending is None or not approvals.is_open(pending):
        return None
    return approvals.approval_card(message.conversation_id, pending, message.created_at)


class HistoryStore(Store[RequestContext]):
    """Threads and items, read and written through history-service as the caller.

    It holds no state of its own: every call goes to history-service with the token found in the
    request context, so any gateway instance can serve any request.
    """

    def __init__(self, history: HistoryClient, lease_seconds: float) -> None:
        self.history = history
        self.lease_seconds = lease_seconds

    def generate_thread_id(self, context: RequestContext) -> str:
        """A thread id with 128 random bits."""
        return new_id("thr")

    def generate_item_id(
        self, item_type: StoreItemType, thread: ThreadMetadata, context: RequestContext
    ) -> str:
        """An item id with 128 random bits."""
        return new_id(_PREFIXES.get(item_type, item_type))

    async def load_thread(self, thread_id: str, context: RequestContext) -> ThreadMetadata:
        """The conversation as a thread; NotFound when it is missing or someone else's."""
        conversation = await self.history.get_conversation(context.principal, thread_id)
        return ThreadMetadata(
            id=conversation.id, title=conversation.title, created_at=conversation.created_at
        )

    async def save_thread(self, thread: ThreadMetadata, context: RequestContext) -> None:
        """Create the conversation, or rename it."""
        caller = context.principal
        if thread.title is None:
            await self.history.create_conversation(caller, thread.id)
            return
        try:
            await self.history.rename_conversation(caller, thread.id, thread.title)
        except NotFound:
            await self.history.create_conversation(caller, thread.id, thread.title)

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: RequestContext
    ) -> Page[ThreadMetadata]:
        """The caller's conversations, most recently active first (history-service's one order)."""
        page = await self.history.list_conversations(
            context.principal, min(limit, MAX_THREADS_PAGE), after
        )
        threads = [
            ThreadMetadata(id=c.id, title=c.title, created_at=c.created_at) for c in page.items
        ]
        return Page(data=threads, has_more=page.has_more, after=page.next_cursor)

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: RequestContext
    ) -> Page[ThreadItem]:
        """A page of items; `after` is the id of the last item of the previous page."""
        page = await self.history.list_messages(
            context.principal,
            thread_id,
            limit=min(limit, MAX_MESSAGES_PAGE),
            order="asc" if order == "asc" else "desc",
            after=after,
        )
        items: list[ThreadItem] = []
        for message in page.items:
            item, card = message_to_item(message), _open_card(message)
            in_order = [item, card] if card else [item]
            items.extend(in_order if order == "asc" else in_order[::-1])
        # The next page starts after the last message (a card is no message of its own).
        last = page.items[-1].id if page.items and page.has_more else None
        return Page(data=items, has_more=page.has_more, after=last)

    async def add_thread_item(
        self, thread_id: str, item: ThreadItem, context: RequestContext
    ) -> None:
        """Store the user message ChatKit adds (a retry is harmless), this request holding its
        turn lease. A turn's own items, its tool calls and answer, are stored by the turn as each
        finishes, so here there is nothing left to do for them."""
        if isinstance(item, UserMessageItem):
            message = with_lease(item_to_message(item), context.holder, self.lease_seconds)
            await self.history.add_message(context.principal, thread_id, message)

    async def save_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        """Replace an item, keeping the tool calls stored with it."""
        existing = await self.history.get_message(context.principal, thread_id, item.id)
        calls = existing.tool_calls if existing else None
        await self.history.put_message(context.principal, thread_id, item_to_message(item, calls))

    async def load_item(self, thread_id: str, item_id: str, context: RequestContext) -> ThreadItem:
        """One item (a confirm/cancel card by its approval's id); NotFound when the thread has
        no such item."""
        if item_id.startswith(approvals.APPROVAL_PREFIX):
            return await self._load_card(thread_id, item_id, context)
        message = await self.history.get_message(context.principal, thread_id, item_id)
        if message is None:
            raise NotFound("The thread has no such item.")
        return message_to_item(message)

    async def _load_card(
        self, thread_id: str, approval_id: str, context: RequestContext
    ) -> ThreadItem:
        """The card of an approval still open in this thread."""
        approval = await self.history.get_approval(context.principal, approval_id)
        answer_id = assistant_message_id(approval.message_id)
        answer = None
        if approval.conversation_id == thread_id:
            answer = await self.history.get_message(context.principal, thread_id, answer_id)
        card = _open_card(answer) if answer else None
        if card is None or card.id != approval_id:
            raise NotFound("The thread has no such item.")
        return card

    async def set_feedback(
        self, thread_id: str, item_ids: list[str], kind: str, context: RequestContext
    ) -> None:
        """Remember the user's feedback beside each item (the item itself stays untouched)."""
        for item_id in item_ids:
            message = await self.history.get_message(context.principal, thread_id, item_id)
            if message is None:
                continue
            update = message.with_metadata({**(message.metadata or {}), "feedback": kind})
            await self.history.put_message(context.principal, thread_id, update)

    async def delete_thread(self, thread_id: str, context: RequestContext) -> None:
        """Delete the conversation (history-service keeps the rows, soft-deleted)."""
        await self.history.delete_conversation(context.principal, thread_id)

    async def delete_thread_item(
        self, thread_id: str, item_id: str, context: RequestContext
    ) -> None:
        """Remove one item (already gone is fine: a retry may delete twice). Tool calls stay:
        they record changes that happened, and a retried turn continues after them."""
        message = await self.history.get_message(context.principal, thread_id, item_id)
        if message is None or message.role == "tool":
            return
        with contextlib.suppress(NotFound):
            await self.history.delete_message(context.principal, thread_id, item_id)

    async def save_attachment(self, attachment: Attachment, context: RequestContext) -> None:
        """Attachments are not supported."""
        raise InvalidInput("Attachments are not supported.")

    async def load_attachment(self, attachment_id: str, context: RequestContext) -> Attachment:
        """Attachments are not supported."""
        raise InvalidInput("Attachments are not supported.")

    async def delete_attachment(self, attachment_id: str, context: RequestContext) -> None:
        """Attachments are not supported."""
        raise InvalidInput("Attachments are not supported.")
