"""One chat turn, the same for both endpoints, in the order it runs:

1. the user message is stored holding the turn's lease (`store_user_message`; ChatKit's store
   does the same in `add_thread_item`), and the turn's history is read (`TurnHistory`);
2. `Turn.run` takes the lease (`TurnLease`) unless this request holds it already, and keeps it
   renewed while the agent runs over the history with the caller's task tools, for at most
   TURN_DEADLINE_SECONDS (then the run is cancelled: TurnTimedOut); a ChatKit turn's run is
   streamed (the answer shows as it comes), a REST turn's is not (nobody watches it);
3. each tool call the model asks for comes back to `Turn.call_tool`: it goes to mcp-server with an
   idempotency key derived from the user message and the call, and is stored (a `role: tool`
   message) before the model sees its result;
4. the answer is stored when the run ends, then the lease is released.

Every item of a turn has an id derived from its user message: a crash at any point leaves history
with exactly what happened up to then, and a retry of the turn continues from there, changing
nothing twice.
"""

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import anyio
import openai
from agents import (
    Agent,
    AgentsException,
    MaxTurnsExceeded,
    ModelResponse,
    RunConfig,
    RunContextWrapper,
    Runner,
    RunState,
    TResponseInputItem,
)
from agents.result import RunResult, RunResultStreaming
from chatkit.types import (
    AssistantMessageItem,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadStreamEvent,
    UserMessageItem,
)
from mcp.types import Tool as MCPTool

from agent_gateway import approvals
from agent_gateway.agent import UTC_ZONE, build_agent, to_input_items, truncated
from agent_gateway.history_client import (
    Approval,
    ApprovalWrite,
    HistoryClient,
    Message,
    MessageWrite,
    StoredToolCall,
)
from agent_gateway.ids import assistant_message_id, idempotency_key, tool_item_id
from agent_gateway.metrics import TURN_SECONDS, ModelTimer, record_tool_call
from agent_gateway.schemas import PendingApprovalPublic
from agent_gateway.settings import Settings
from agent_gateway.task_tools import (
    McpConnection,
    McpConnectionPool,
    ToolResult,
    ToolsUnreachable,
    is_change,
)
from agent_gateway.thread_items import (
    TurnEvents,
    assistant_text,
    is_unfinished,
    item_to_message,
    tool_item,
)
from todo_common.auth import Principal
from todo_common.db import utcnow
from todo_common.ids import new_id
from todo_common.json_values import check_json
from todo_common.problems import (
    BadGateway,
    Conflict,
    NotFound,
    PreconditionFailed,
    ProblemError,
    ServiceUnavailable,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")
LEASE_KEY = "turn_lease"
HISTORY_PAGE_MAX = 200
TURN_TOOL_CALLS_MAX = 64
INVALID_ARGUMENTS = (
    "Invalid arguments: expected a JSON object without NUL characters, lone surrogates, "
    "integers beyond 64 bits or deep nesting."
)
TOO_MANY_STEPS = "Sorry, that took more steps than I'm allowed. Could you ask in a simpler way?"
TOOLS_UNREACHABLE = (
    "I couldn't reach your task list just now, so I can't tell whether that went through. "
    "Please try again in a moment: retrying finishes it without doing anything twice."
)


@dataclass(frozen=True)
class Services:
    """What every turn uses, shared by the whole process (built in the app's lifespan)."""

    settings: Settings
    history: HistoryClient
    mcp: McpConnectionPool
    run_config: RunConfig

    @property
    def window_size(self) -> int:
        """How many of the newest messages, up to the user message, the model sees."""
        return min(self.settings.history_window, HISTORY_PAGE_MAX)


@dataclass(frozen=True)
class RequestContext:
    """The verified caller of one request (ChatKit passes it to every store method)."""

    principal: Principal
    holder: str = field(default_factory=lambda: new_id("req"))
    """This request, as the holder of the turn lease on a user message it stores."""
    time_zone: ZoneInfo = UTC_ZONE
    """The user's zone (X-Time-Zone): the agent's "today" and the dates it reads are there."""


class ModelUnavailable(ServiceUnavailable):
    """The language model could not be reached."""


class ModelFailed(BadGateway):
    """The language model answered with an error."""


class TurnInProgress(Conflict):
    """Another request is answering this message right now: retry after it to get its answer."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            "This message is being answered by another request. Retry shortly to get the answer."
        )
        self.headers = {"Retry-After": str(max(1, math.ceil(retry_after)))}


class TurnTimedOut(ProblemError):
    """The turn ran past TURN_DEADLINE_SECONDS and was cancelled. The tool calls it finished are
    stored; a retry continues after them."""

    status = 504

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The turn took longer than {seconds:g} s and was stopped. "
            "Changes it made are kept; retry to finish it."
        )


class ToolCallNotStored(AgentsException):
    """history-service refused or missed a finished tool call: the turn stops there (an
    `AgentsException`, so the Agents SDK ends the run with it); a retry makes the call again,
    with the same idempotency key."""

    def __init__(self, problem: ProblemError) -> None:
        super().__init__(str(problem))
        self.problem = problem


# 1. The user message and the turn's history


@dataclass
class TurnHistory:
    """What the conversation holds for the turn answering `user_message`."""

    earlier: list[Message]
    """The newest messages before the user message, oldest first."""
    user_message: Message
    tool_items: list[Message] = field(default_factory=list)
    """This turn's tool calls stored so far, in the order they were made."""
    answer: Message | None = None
    """This turn's stored answer, if it got that far."""

    @property
    def finished(self) -> bool:
        """Whether the turn was answered to the end (nothing is left to continue)."""
        return self.answer is not None and not is_unfinished(self.answer)

    @property
    def tool_calls(self) -> list[StoredToolCall]:
        """This turn's stored tool calls."""
        return [call for item in self.tool_items for call in item.tool_calls or []]

    @property
    def next_tool_index(self) -> int:
        """The index the turn's next tool call gets (its item id derives from it)."""
        indexes = _tool_indexes(self.user_message.id)
        return max((indexes[item.id] + 1 for item in self.tool_items), default=0)

    def model_input(
        self, *, window_chars: int | None = None, tool_result_chars: int | None = None
    ) -> list[TResponseInputItem]:
        """The window as the model reads it, this turn's tool calls last (bounded as
        `to_input_items` says)."""
        return to_input_items(
            [*self.earlier, self.user_message, *self.tool_items],
            window_chars=window_chars,
            tool_result_chars=tool_result_chars,
        )


async def store_user_message(
    services: Services, context: RequestContext, conversation_id: str, item: UserMessageItem
) -> TurnHistory:
    """Store a new user message, this request holding its turn lease, and read its turn's history
    in the same round trip. A missing or foreign conversation is NotFound; a taken id Conflict."""
    message = with_lease(
        item_to_message(item), context.holder, services.settings.turn_lease_seconds
    )
    window_messages = await services.history.append_message(
        context.principal, conversation_id, message, recent=services.window_size
    )
    return TurnHistory(earlier=window_messages[:-1], user_message=window_messages[-1])


async def load_turn_history(
    services: Services, caller: Principal, conversation_id: str, user_message: Message
) -> TurnHistory:
    """The history of the turn answering the stored `user_message`, as two reads: the messages
    before it, and what came after it that belongs to its turn (other turns' messages may
    interleave when several run at once)."""
    window_size = services.window_size
    before = await services.history.list_messages(
        caller,
        conversation_id,
        limit=max(1, min(window_size - 1, HISTORY_PAGE_MAX)),
        order="desc",
        after=user_message.id,
    )
    after = await services.history.list_messages(
        caller, conversation_id, limit=HISTORY_PAGE_MAX, order="asc", after=user_message.id
    )
    tool_indexes = _tool_indexes(user_message.id)
    answer_id = assistant_message_id(user_message.id)
    return TurnHistory(
        earlier=before.items[::-1] if window_size > 1 else [],
        user_message=user_message,
        tool_items=[m for m in after.items if m.id in tool_indexes and m.role == "tool"],
        answer=next((m for m in after.items if m.id == answer_id), None),
    )


async def paused_turn(services: Services, context: RequestContext, approval: Approval) -> "Turn":
    """The turn `approval` paused, rebuilt from history-service (so any replica carries out the
    decision); NotFound when its conversation or message is gone."""
    caller = context.principal
    message = await services.history.get_message(
        caller, approval.conversation_id, approval.message_id
    )
    if message is None:
        raise NotFound("The conversation of this approval no longer exists.")
    history = await load_turn_history(services, caller, approval.conversation_id, message)
    return Turn(services, context, approval.conversation_id, history)


def _tool_indexes(user_message_id: str) -> dict[str, int]:
    return {tool_item_id(user_message_id, i): i for i in range(TURN_TOOL_CALLS_MAX)}


# 2.-4. Running the turn


@dataclass(frozen=True)
class TurnResult:
    """What a turn did: its answer and every tool call it made (an earlier attempt's first)."""

    answer: str
    tool_calls: list[StoredToolCall]
    finished: bool
    """False when the task tools could not be reached: a retry continues the turn."""
    pending_approval: PendingApprovalPublic | None = None
    """The change the run paused before, waiting for the user's decision."""


class Turn:
    """The turn answering `history.user_message`; its run's context, so its tools call back here."""

    def __init__(
        self,
        services: Services,
        context: RequestContext,
        conversation_id: str,
        history: TurnHistory,
    ) -> None:
        self.services = services
        self.context = context
        self.conversation_id = conversation_id
        self.history = history
        self.user_message_id = history.user_message.id
        self.lease = TurnLease(
            services.history,
            context.principal,
            history.user_message,
            context.holder,
            services.settings.turn_lease_seconds,
        )
        self.events = TurnEvents(conversation_id, self.user_message_id, history.next_tool_index)
        self.tool_calls = list(history.tool_calls)
        self._calls_made = [(call.name, _canonical(call.arguments)) for call in self.tool_calls]
        self.result: TurnResult | None = None

    async def run(self, *, streamed: bool = True) -> AsyncIterator[ThreadStreamEvent]:
        """Hold the lease and run the agent, yielding ChatKit events as things happen; `result`
        is set at the end. TurnInProgress while another request holds the lease. Not `streamed`,
        each model call answers at once and the events come at the end."""
        async with await self.lease.take():
            started, outcome = time.perf_counter(), "error"
            try:
                async for event in self._run(streamed=streamed):
                    yield event
                outcome = "ok"
            finally:
                TURN_SECONDS.labels(outcome).observe(time.perf_counter() - started)

    async def carry_out(
        self, approval: Approval, *, streamed: bool = True
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Do what the user decided about the approval this turn paused for: approved, the parked
        run resumes and runs the change; rejected, the turn ends changing nothing. When an earlier
        request did it already (the stored answer no longer asks), `result` is that answer."""
        async with await self.lease.take():
            answer = self.history.answer
            asking = approvals.pending_of(answer.metadata) if answer else None
            if self.history.finished and (asking is None or asking.id != approval.id):
                assert answer is not None
                self.result = TurnResult(answer.content, self.tool_calls, finished=True)
                return
            if approval.decision == "approve":
                async for event in self._run(approval.state, streamed=streamed):
                    yield event
            else:
                for event in await self._finish(approvals.NOTHING_CHANGED, finished=True):
                    yield event

    def needs_approval(self, tool_name: str, arguments: dict[str, Any]) -> bool:
        """Whether the call must wait for the user's decision (approvals.py)."""
        return approvals.needs_approval(self.services.settings, tool_name)

    async def _run(
        self, parked: str | None = None, *, streamed: bool = True
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Run the agent over the turn's history, or resume the `parked` run with the calls it
        paused before approved."""
        services, caller, settings = self.services, self.context.principal, self.services.settings
        deadline = Deadline(settings.turn_deadline_seconds)
        if self.history.answer is not None:
            # An unfinished answer goes: the new one is stored after the calls made from now on.
            with contextlib.suppress(NotFound):
                await deadline.within(
                    services.history.delete_message(
                        caller, self.conversation_id, self.history.answer.id
                    )
                )
        connection = await deadline.within(services.mcp.connection_for_turn(caller.token))
        tools = connection.tools if connection else None
        agent = build_agent(settings.model_name, tools, self.context.time_zone)
        history_input = self.history.model_input(
            window_chars=settings.history_window_chars,
            tool_result_chars=settings.tool_result_max_chars,
        )
        run_input: list[TResponseInputItem] | RunState[Any] = history_input
        if parked is not None:
            run_input = await self._resumed(agent, parked, history_input)
        provider = settings.model_provider
        options: dict[str, Any] = {
            "context": self,
            "run_config": services.run_config,
            "max_turns": settings.max_agent_turns,
        }
        finished, note = connection is not None, None
        run: RunResult | RunResultStreaming | None = None
        try:
            if streamed:
                run = Runner.run_streamed(agent, run_input, hooks=ModelTimer(provider), **options)
                async for out in self._stream(run, deadline):
                    yield out
            else:
                hooks = WholeResponses(provider, self.events)
                run = await deadline.within(Runner.run(agent, run_input, hooks=hooks, **options))
        except ToolsUnreachable:
            finished, note = False, TOOLS_UNREACHABLE
            if connection is not None:
                await services.mcp.discard(connection)
        except ToolCallNotStored as exc:
            raise exc.problem from exc
        except MaxTurnsExceeded:
            note = TOO_MANY_STEPS
        except ProblemError:
            raise
        except Exception as exc:
            raise _model_error(exc) from exc
        pending, not_run = None, []
        if run is not None and finished and note is None and run.interruptions:
            pending = await self._park(run)
            note = approvals.question(pending)
            # The paused calls were shown running; they wait for the decision instead.
            not_run = [self.events.tool_item_id(item.call_id or "") for item in run.interruptions]
        for item_id in not_run:
            yield ThreadItemRemovedEvent(item_id=item_id)
        for out in await self._finish(note, finished=finished, pending=pending):
            yield out

    async def _stream(
        self, run: RunResultStreaming, deadline: "Deadline"
    ) -> AsyncIterator[ThreadStreamEvent]:
        """The streamed run's events as ChatKit events; the run is cancelled if left midway."""
        stream = run.stream_events()
        try:
            # The deadline bounds each wait for the run's next event, never a `yield`: the time
            # the consumer takes still counts, but a cancellation only ever lands in the run.
            while (event := await deadline.within(anext(stream, None))) is not None:
                for out in self.events.on_agent_event(event):
                    yield out
        finally:
            if not run.is_complete:
                run.cancel()

    async def _finish(
        self, note: str | None, *, finished: bool, pending: PendingApprovalPublic | None = None
    ) -> list[ThreadStreamEvent]:
        """Store the answer (with `note` after what the model said); the events that show it,
        and the confirm/cancel card when the turn waits for a decision."""
        answer, events = self.events.answer(note)
        await save_answer(
            self.services.history,
            self.context.principal,
            self.conversation_id,
            answer,
            finished=finished,
            pending=pending,
        )
        self.result = TurnResult(assistant_text(answer), self.tool_calls, finished, pending)
        done: list[ThreadStreamEvent] = [*events, ThreadItemDoneEvent(item=answer)]
        if pending is not None:
            card = approvals.approval_card(self.conversation_id, pending, answer.created_at)
            done.append(ThreadItemDoneEvent(item=card))
        return done

    async def _resumed(
        self, agent: Any, parked: str, history_input: list[TResponseInputItem]
    ) -> RunState[Any] | list[TResponseInputItem]:
        """The parked run with this turn as its context and the calls it paused before approved;
        the history's input instead when an earlier attempt ran them already (they are stored):
        the model then continues after them, as any retried turn does."""
        state = await RunState.from_string(
            agent, parked, context_override=RunContextWrapper(context=self)
        )
        paused = state.get_interruptions()
        stored = {call.id for call in self.tool_calls}
        if any(item.call_id in stored for item in paused):
            return history_input
        for item in paused:
            state.approve(item)
        return state

    async def _park(self, run: RunResult | RunResultStreaming) -> PendingApprovalPublic:
        """Keep the paused run in history-service (any replica resumes it) until the user
        decides: one approval for every call it paused before."""
        calls = [
            (item.name or "", _parse_arguments(item.arguments or "") or {})
            for item in run.interruptions
        ]
        tool, arguments = calls[0] if len(calls) == 1 else ("several", {"calls": calls})
        approval = ApprovalWrite(
            conversation_id=self.conversation_id,
            message_id=self.user_message_id,
            tool=tool,
            arguments=arguments,
            summary=approvals.summary(calls, self.tool_calls),
            # The turn is rebuilt on resume, never serialized.
            state=run.to_state().to_string(context_serializer=lambda _turn: {}),
            ttl_seconds=self.services.settings.approval_ttl_seconds,
        )
        parked = await self.services.history.create_approval(self.context.principal, approval)
        return PendingApprovalPublic.model_validate(parked.model_dump())

    async def call_tool(
        self, connection: McpConnection, tool: MCPTool, arguments: str, call_id: str
    ) -> str:
        """Make one tool call the model asked for, store it, and return what the model reads."""
        parsed = _parse_arguments(arguments)
        item_id = self.events.tool_item_id(call_id)
        started = time.perf_counter()
        if parsed is None:
            result = ToolResult(INVALID_ARGUMENTS, ok=False)
        else:
            result = await connection.call(tool, parsed, self._key_for(tool, parsed))
        call = StoredToolCall(
            id=call_id or item_id,
            name=tool.name,
            arguments=parsed if parsed is not None else arguments,
            result=result.structured if result.structured is not None else result.output,
            status="ok" if result.ok else "error",
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        record_tool_call(call.name, call.status, call.duration_ms or 0.0)
        item = tool_item(item_id, self.conversation_id, tool.name, call)
        try:
            # A retried turn's same call replaces what an earlier attempt stored.
            await self.services.history.put_message(
                self.context.principal, self.conversation_id, item_to_message(item, [call])
            )
        except ProblemError as exc:
            raise ToolCallNotStored(exc) from exc
        self.tool_calls.append(call)
        self.events.tool_finished(call_id, item)
        return truncated(result.output, self.services.settings.tool_result_max_chars)

    def _key_for(self, tool: MCPTool, arguments: dict[str, Any]) -> str | None:
        """The call's idempotency key: the same for the same call made again for this user
        message (a retried turn), different for each time the turn itself repeats it."""
        canonical = _canonical(arguments)
        occurrence = self._calls_made.count((tool.name, canonical))
        self._calls_made.append((tool.name, canonical))
        if not is_change(tool):
            return None
        return idempotency_key(self.user_message_id, tool.name, canonical, occurrence)


async def save_answer(
    history: HistoryClient,
    caller: Principal,
    conversation_id: str,
    item: AssistantMessageItem,
    *,
    finished: bool,
    pending: PendingApprovalPublic | None = None,
) -> None:
    """Store a turn's answer; an unfinished one is marked so that a retry continues it, one that
    asks for a decision carries the approval."""
    message = item_to_message(item, partial=not finished)
    if pending is not None:
        asking = {approvals.PENDING_KEY: pending.model_dump(mode="json")}
        message = message.model_copy(update={"metadata": {**(message.metadata or {}), **asking}})
    await history.put_message(caller, conversation_id, message)


class WholeResponses(ModelTimer):
    """The hooks of a run that is not streamed: each model response's text joins the answer as the
    response arrives, as a streamed run's text deltas do (so a run that fails midway keeps it)."""

    def __init__(self, provider: str, events: TurnEvents) -> None:
        super().__init__(provider)
        self.events = events

    async def on_llm_end(
        self, context: RunContextWrapper[Any], agent: Agent[Any], response: ModelResponse
    ) -> None:
        """A model call returned: its text is the answer's next part."""
        await super().on_llm_end(context, agent, response)
        self.events.add_response(response)


class Deadline:
    """A moment `seconds` from now that awaited steps of a turn must finish by (TurnTimedOut)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.when = asyncio.get_running_loop().time() + seconds

    async def within(self, step: Awaitable[T]) -> T:
        """`step`'s result, or TurnTimedOut (the step cancelled) if it is not done by then."""
        timeout = asyncio.timeout_at(self.when)
        try:
            async with timeout:
                return await step
        except TimeoutError as exc:
            if timeout.expired():
                raise TurnTimedOut(self.seconds) from exc
            raise


def _parse_arguments(raw: str) -> dict[str, Any] | None:
    """The model's arguments as strict JSON that history-service can store (no NaN or Infinity,
    NUL, lone surrogates, integers beyond 64 bits or deep nesting); else None."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        value = check_json(json.loads(raw or "{}", parse_constant=refuse))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _canonical(arguments: Any) -> str:
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _model_error(exc: Exception) -> ProblemError:
    logger.warning("the model failed: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
        return ModelUnavailable("The language model is unreachable right now. Please retry.")
    return ModelFailed("The language model failed to answer. Please retry.")


# The turn lease: who is answering a user message right now


def with_lease(message: MessageWrite, holder: str, seconds: float) -> MessageWrite:
    """`message` with a lease saying `holder` answers it for the next `seconds`."""
    return message.model_copy(
        update={"metadata": {**(message.metadata or {}), LEASE_KEY: _new_lease(holder, seconds)}}
    )


class TurnLease:
    """The lease on a stored user message, kept in its own metadata and held while used as an
    async context manager.

    A second request for a message whose turn is still running (an impatient retry, on any
    replica) gets 409 with `Retry-After` instead of running the turn a second time. The lease is
    short and renewed while the turn runs, so the retry of a turn whose gateway died goes through
    soon after. Taking it over is a compare-and-set (`If-Match`), so two requests never both win.
    """

    def __init__(
        self,
        history: HistoryClient,
        caller: Principal,
        message: Message,
        holder: str,
        seconds: float,
    ) -> None:
        self.history = history
        self.caller = caller
        self.message = message
        self.holder = holder
        self.seconds = seconds
        self._etag = message.etag
        self._renewing: asyncio.Task[None] | None = None

    async def take(self) -> "TurnLease":
        """Hold the lease (already ours when this request stored the message with it);
        TurnInProgress while another request holds it."""
        current = (self.message.metadata or {}).get(LEASE_KEY) or {}
        if current.get("holder") == self.holder:
            return self
        remaining = _remaining(current)
        if remaining > 0:
            raise TurnInProgress(remaining)
        try:
            await self._write(_new_lease(self.holder, self.seconds))
        except PreconditionFailed as exc:  # someone else took it (or changed it) first
            raise TurnInProgress(self.seconds) from exc
        return self

    async def __aenter__(self) -> "TurnLease":
        self._renewing = asyncio.create_task(self._renew())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing
        # Shielded: a cancelled request (the client went away) still lets the message go.
        with anyio.CancelScope(shield=True):
            try:
                await self._write(None)
            except ProblemError as error:  # it expires by itself
                logger.warning("could not release the turn lease: %s", error)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.seconds / 3)
            try:
                await self._write(_new_lease(self.holder, self.seconds))
            except ProblemError as error:
                logger.warning("could not renew the turn lease: %s", error)
                return

    async def _write(self, lease: dict[str, str] | None) -> None:
        metadata: dict[str, Any] = dict(self.message.metadata or {})
        metadata.pop(LEASE_KEY, None)
        if lease is not None:
            metadata[LEASE_KEY] = lease
        message = self.message
        self._etag = await self.history.put_message(
            self.caller,
            message.conversation_id,
            message.with_metadata(metadata),
            if_match=self._etag or "*",
        )
        self.message = message.model_copy(update={"metadata": metadata, "etag": self._etag})


def _new_lease(holder: str, seconds: float) -> dict[str, str]:
    return {"holder": holder, "until": (utcnow() + timedelta(seconds=seconds)).isoformat()}


def _remaining(lease: dict[str, Any]) -> float:
    try:
        until = datetime.fromisoformat(str(lease.get("until")))
    except ValueError:
        return 0.0
    return (until - utcnow()).total_seconds()
