"""One chat turn, the same for both endpoints: run the agent over the turn's history with the
caller's task tools, and store each item as soon as it is finished.

A tool call is stored (a `role: tool` message) before the model sees its result, and the answer
when the run ends, under ids derived from the user message: a crash at any point leaves history
with exactly what happened up to then, and a retry of the turn continues from there (see
`history_window.TurnHistory`). Every change a tool makes carries an idempotency key derived from
the user message and the call, so a call repeated by a retried turn changes nothing twice.
"""

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import openai
from agents import AgentsException, MaxTurnsExceeded, Runner
from chatkit.types import ThreadItemDoneEvent, ThreadStreamEvent
from mcp.types import Tool as MCPTool

from agent_gateway.context import Gateway, RequestContext
from agent_gateway.history_client import StoredToolCall
from agent_gateway.history_window import TurnHistory
from agent_gateway.ids import idempotency_key
from agent_gateway.items import assistant_text, tool_item
from agent_gateway.mcp_tools import McpConnection, ToolResult, ToolsUnreachable, is_change
from agent_gateway.metrics import TURN_SECONDS, ModelTimer, record_tool_call
from agent_gateway.store import HistoryStore
from agent_gateway.turn_events import TurnEvents
from todo_common.problems import BadGateway, ProblemError, ServiceUnavailable

logger = logging.getLogger(__name__)
TOO_MANY_STEPS = "Sorry, that took more steps than I'm allowed. Could you ask in a simpler way?"
TOOLS_UNREACHABLE = (
    "I couldn't reach your task list just now, so I can't tell whether that went through. "
    "Please try again in a moment: retrying finishes it without doing anything twice."
)


class ModelUnavailable(ServiceUnavailable):
    """The language model could not be reached."""


class ModelFailed(BadGateway):
    """The language model answered with an error."""


class ToolCallNotStored(AgentsException):
    """history-service refused or missed a finished tool call: the turn stops there (an
    `AgentsException`, so the Agents SDK ends the run with it); a retry makes the call again,
    with the same idempotency key."""

    def __init__(self, problem: ProblemError) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class TurnResult:
    """What a turn did: its answer and every tool call it made (an earlier attempt's first)."""

    answer: str
    tool_calls: list[StoredToolCall]
    finished: bool
    """False when the task tools could not be reached: a retry continues the turn."""


class Turn:
    """The turn answering `history.user_message`; its run's context, so its tools call back here."""

    def __init__(
        self,
        gateway: Gateway,
        store: HistoryStore,
        context: RequestContext,
        conversation_id: str,
        history: TurnHistory,
    ) -> None:
        self.gateway = gateway
        self.store = store
        self.context = context
        self.conversation_id = conversation_id
        self.history = history
        self.user_message_id = history.user_message.id
        self.events = TurnEvents(conversation_id, self.user_message_id, history.next_tool_index)
        self.tool_calls = list(history.tool_calls)
        self._calls_made = [(call.name, _canonical(call.arguments)) for call in self.tool_calls]
        self.result: TurnResult | None = None

    async def run(self) -> AsyncIterator[ThreadStreamEvent]:
        """Run the agent, yielding ChatKit events as things happen; `result` is set at the end."""
        started, outcome = time.perf_counter(), "error"
        try:
            async for event in self._run():
                yield event
            outcome = "ok"
        finally:
            TURN_SECONDS.labels(outcome).observe(time.perf_counter() - started)

    async def _run(self) -> AsyncIterator[ThreadStreamEvent]:
        gateway = self.gateway
        if self.history.answer is not None:
            # An unfinished answer goes: the new one is stored after the calls made from now on.
            await self.store.delete_thread_item(
                self.conversation_id, self.history.answer.id, self.context
            )
        connection = await gateway.mcp.connection_for_turn(self.context.principal.token)
        agent = gateway.agents.for_tools(connection.tools if connection else None)
        run = Runner.run_streamed(
            agent,
            self.history.model_input(),
            context=self,
            run_config=gateway.run_config,
            max_turns=gateway.settings.max_agent_turns,
            hooks=ModelTimer(gateway.settings.model_provider),
        )
        finished, note = connection is not None, None
        try:
            async for event in run.stream_events():
                for out in self.events.on_agent_event(event):
                    yield out
        except ToolsUnreachable:
            finished, note = False, TOOLS_UNREACHABLE
            if connection is not None:
                await gateway.mcp.discard(connection)
        except ToolCallNotStored as exc:
            raise exc.problem from exc
        except MaxTurnsExceeded:
            note = TOO_MANY_STEPS
        except ProblemError:
            raise
        except Exception as exc:
            raise _model_error(exc) from exc
        finally:
            if not run.is_complete:
                run.cancel()
        answer, events = self.events.answer(note)
        await self.store.save_answer(self.conversation_id, answer, self.context, finished=finished)
        self.result = TurnResult(assistant_text(answer), self.tool_calls, finished)
        for out in [*events, ThreadItemDoneEvent(item=answer)]:
            yield out

    async def call_tool(
        self, connection: McpConnection, tool: MCPTool, arguments: str, call_id: str
    ) -> str:
        """Make one tool call the model asked for, store it, and return what the model reads."""
        parsed = _parse_arguments(arguments)
        item_id = self.events.tool_item_id(call_id)
        started = time.perf_counter()
        if parsed is None:
            result = ToolResult("Invalid arguments: expected a JSON object.", ok=False)
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
            await self.store.save_tool_call(self.conversation_id, item, call, self.context)
        except ProblemError as exc:
            raise ToolCallNotStored(exc) from exc
        self.tool_calls.append(call)
        self.events.tool_finished(call_id, item)
        return result.output

    def _key_for(self, tool: MCPTool, arguments: dict[str, Any]) -> str | None:
        """The call's idempotency key: the same for the same call made again for this user
        message (a retried turn), different for each time the turn itself repeats it."""
        canonical = _canonical(arguments)
        occurrence = self._calls_made.count((tool.name, canonical))
        self._calls_made.append((tool.name, canonical))
        if not is_change(tool):
            return None
        return idempotency_key(self.user_message_id, tool.name, canonical, occurrence)


def _parse_arguments(raw: str) -> dict[str, Any] | None:
    """The model's arguments as strict JSON (no NaN or Infinity, which history refuses)."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        value = json.loads(raw or "{}", parse_constant=refuse)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _canonical(arguments: Any) -> str:
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _model_error(exc: Exception) -> ProblemError:
    logger.warning("the model failed: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
        return ModelUnavailable("The language model is unreachable right now. Please retry.")
    return ModelFailed("The language model failed to answer. Please retry.")
