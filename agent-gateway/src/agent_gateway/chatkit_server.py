"""The ChatKit server protocol on top of the stateless turn and the history-backed store."""

import logging
from collections.abc import AsyncIterator

import anyio
from chatkit.errors import CustomStreamError
from chatkit.server import ChatKitServer
from chatkit.types import (
    AssistantMessageItem,
    FeedbackKind,
    ThreadItem,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)

from agent_gateway.context import Gateway, RequestContext
from agent_gateway.history_window import load_turn_history
from agent_gateway.items import assistant_text
from agent_gateway.store import HistoryStore
from agent_gateway.turn import ModelFailed, ModelUnavailable, Turn
from agent_gateway.turn_lease import TurnInProgress, TurnLease
from todo_common.problems import NotFound, ProblemError

logger = logging.getLogger(__name__)


class TodoChatKitServer(ChatKitServer[RequestContext]):
    """Answers each user message with one turn; keeps no conversation state between requests."""

    def __init__(self, gateway: Gateway, store: HistoryStore) -> None:
        super().__init__(store)
        self.gateway = gateway
        self.history_store = store

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
        gateway, caller = self.gateway, context.principal
        try:
            message = await gateway.history.get_message(caller, thread.id, input_user_message.id)
            if message is None:
                raise NotFound("The thread has no such item.")
            history = await load_turn_history(
                gateway.history, caller, thread.id, message, gateway.window
            )
            turn = Turn(gateway, self.history_store, context, thread.id, history)
            lease = TurnLease(
                gateway.history,
                caller,
                message,
                context.holder,
                gateway.settings.turn_lease_seconds,
            )
            async with await lease.take():
                async for event in turn.run():
                    yield event
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
                        await self.history_store.save_answer(
                            thread.id, item, context, finished=False
                        )
                    except ProblemError:
                        logger.warning("could not store the partial item %s", item.id)


def stream_error_message(exc: ProblemError) -> str:
    """What a ChatKit user reads when a turn fails; their message is already stored."""
    if isinstance(exc, TurnInProgress):
        return "This message is still being answered. Please retry in a moment."
    if isinstance(exc, ModelUnavailable | ModelFailed):
        return "The assistant's language model is unavailable right now. Your message is saved; please retry."
    if exc.status in (502, 503):
        return "Your conversation history could not be reached. Please retry in a moment."
    return exc.detail or "Something went wrong. Please retry."
