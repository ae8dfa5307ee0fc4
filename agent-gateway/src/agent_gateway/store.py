"""ChatKit's `Store`, backed by history-service: thread = conversation, item = message.

It holds no state of its own: every call goes to history-service with the token found in the
request context, so any gateway instance can serve any request.
"""

import contextlib

from chatkit.store import Store, StoreItemType
from chatkit.types import (
    AssistantMessageItem,
    Attachment,
    Page,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
    WorkflowItem,
)

from agent_gateway.context import RequestContext
from agent_gateway.history_client import HistoryClient, Message, MessageWrite, StoredToolCall
from agent_gateway.ids import new_id
from agent_gateway.items import item_to_message, message_to_item
from agent_gateway.turn_lease import LEASE_KEY, new_lease
from todo_common.problems import InvalidInput, NotFound

_PREFIXES = {"message": "msg", "workflow": "wf", "tool_call": "tc", "task": "tsk"}
MAX_MESSAGES_PAGE = 200
MAX_THREADS_PAGE = 100


class HistoryStore(Store[RequestContext]):
    """Threads and items, read and written through history-service as the caller."""

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
        items = [message_to_item(message) for message in page.items]
        last = items[-1].id if items and page.has_more else None
        return Page(data=items, has_more=page.has_more, after=last)

    async def add_thread_item(
        self, thread_id: str, item: ThreadItem, context: RequestContext
    ) -> None:
        """Store the user message ChatKit adds (a retry is harmless). A turn's own items, its
        tool calls and answer, are stored by the turn as each finishes (`save_tool_call`,
        `save_answer`), so here there is nothing left to do for them."""
        if isinstance(item, UserMessageItem):
            message = self._with_lease(item_to_message(item), context)
            await self.history.add_message(context.principal, thread_id, message)

    async def add_user_item(
        self, thread_id: str, item: UserMessageItem, context: RequestContext, *, window: int
    ) -> list[Message]:
        """Store a new user message and return the thread's newest `window` messages up to and
        including it, oldest first. This request holds the message's turn lease."""
        message = self._with_lease(item_to_message(item), context)
        return await self.history.append_message(
            context.principal, thread_id, message, recent=window
        )

    def _with_lease(self, message: MessageWrite, context: RequestContext) -> MessageWrite:
        # Stored with the message, so that the request storing it answers it (see turn_lease).
        lease = new_lease(context.holder, self.lease_seconds)
        return message.model_copy(
            update={"metadata": {**(message.metadata or {}), LEASE_KEY: lease}}
        )

    async def save_tool_call(
        self, thread_id: str, item: WorkflowItem, call: StoredToolCall, context: RequestContext
    ) -> None:
        """Store one finished tool call (a retried turn's same call replaces it)."""
        await self.history.put_message(context.principal, thread_id, item_to_message(item, [call]))

    async def save_answer(
        self,
        thread_id: str,
        item: AssistantMessageItem,
        context: RequestContext,
        *,
        finished: bool = True,
    ) -> None:
        """Store a turn's answer; an unfinished one is marked so that a retry continues it."""
        message = item_to_message(item, partial=not finished)
        await self.history.put_message(context.principal, thread_id, message)

    async def save_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        """Replace an item, keeping the tool calls stored with it."""
        existing = await self.history.get_message(context.principal, thread_id, item.id)
        calls = existing.tool_calls if existing else None
        await self.history.put_message(context.principal, thread_id, item_to_message(item, calls))

    async def load_item(self, thread_id: str, item_id: str, context: RequestContext) -> ThreadItem:
        """One item; NotFound when the thread has no such item."""
        message = await self.history.get_message(context.principal, thread_id, item_id)
        if message is None:
            raise NotFound("The thread has no such item.")
        return message_to_item(message)

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
