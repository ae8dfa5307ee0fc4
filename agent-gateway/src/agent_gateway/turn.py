"""The stateless turn: load the window, run the agent with the caller's tools, stream what happens.

Storing is the caller's part: ChatKitServer stores every `ThreadItemDoneEvent` before sending it,
and the REST endpoint does the same, so both store identical items through one `Store`.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import openai
from agents import (
    Agent,
    MaxTurnsExceeded,
    RunContextWrapper,
    RunItem,
    Runner,
    Tool,
    TResponseInputItem,
)
from agents.tool_context import ToolContext
from chatkit.types import ThreadStreamEvent

from agent_gateway.context import Gateway, RequestContext
from agent_gateway.history_client import WindowMessage
from agent_gateway.history_window import to_input_items
from agent_gateway.mcp_tools import OK_MARKER, McpConnection
from agent_gateway.metrics import TURN_SECONDS, ModelTimer
from agent_gateway.models.offline_policy import parse_output
from agent_gateway.turn_events import NO_ANSWER, TurnEvents
from todo_common.auth import Principal
from todo_common.problems import BadGateway, ProblemError, ServiceUnavailable

logger = logging.getLogger(__name__)
HISTORY_PAGE_MAX = 200
TOO_MANY_STEPS = "Sorry, that took more steps than I'm allowed. Could you ask in a simpler way?"


class ModelUnavailable(ServiceUnavailable):
    """The language model could not be reached."""


class ModelFailed(BadGateway):
    """The language model answered with an error."""


def window_size(gateway: Gateway) -> int:
    """How many of the newest messages the model sees."""
    return min(gateway.settings.history_window, HISTORY_PAGE_MAX)


async def load_window(gateway: Gateway, caller: Principal, thread_id: str) -> list[WindowMessage]:
    """The conversation's newest `HISTORY_WINDOW` messages, oldest first."""
    return await gateway.history.list_window(caller, thread_id, limit=window_size(gateway))


async def run_turn(
    gateway: Gateway,
    context: RequestContext,
    thread_id: str,
    user_message_id: str,
    *,
    streaming: bool = True,
    window: list[WindowMessage] | None = None,
) -> AsyncIterator[ThreadStreamEvent]:
    """Answer the stored user message `user_message_id`, yielding ChatKit events as they happen.

    Without `streaming` (nobody watches) the model answers in one piece and only the turn's
    finished items are yielded, at its end. `window` is the conversation's newest messages when
    the caller already read them (see `load_window`).
    """
    started, outcome = time.perf_counter(), "error"
    answer = _streamed if streaming else _at_once
    try:
        run = await _prepare(gateway, context, thread_id, user_message_id, window, streaming)
        async for event in answer(gateway, run):
            yield event
        outcome = "ok"
    except (asyncio.CancelledError, GeneratorExit):
        outcome = "cancelled"
        raise
    finally:
        TURN_SECONDS.labels(outcome).observe(time.perf_counter() - started)


@dataclass
class _Run:
    """What a turn's agent run needs, set up the same way for both kinds of run."""

    agent: Agent[Any]
    model_input: list[TResponseInputItem]
    connection: McpConnection | None
    events: TurnEvents


async def _prepare(
    gateway: Gateway,
    context: RequestContext,
    thread_id: str,
    user_message_id: str,
    window: list[WindowMessage] | None,
    streaming: bool,
) -> _Run:
    caller = context.principal
    if window is None:
        window = await load_window(gateway, caller, thread_id)
    model_input = to_input_items(window)
    connection = await gateway.mcp.connection_for_turn(caller.token)
    agent = gateway.agents.for_tools(connection.tools if connection else None)
    events = TurnEvents(thread_id, user_message_id, context, streaming=streaming)
    return _Run(agent, model_input, connection, events)


async def _streamed(gateway: Gateway, run: _Run) -> AsyncIterator[ThreadStreamEvent]:
    events = run.events
    result = Runner.run_streamed(
        run.agent,
        run.model_input,
        run_config=gateway.run_config,
        max_turns=gateway.settings.max_agent_turns,
        hooks=ModelTimer(gateway.settings.model_provider),
    )
    fallback = None
    try:
        async for event in result.stream_events():
            for out in events.on_agent_event(event):
                yield out
    except asyncio.CancelledError:
        result.cancel()
        raise
    except MaxTurnsExceeded:
        fallback = TOO_MANY_STEPS
    except ProblemError:
        raise
    except Exception as exc:
        for out in events.close_workflow():
            yield out
        raise _model_error(exc) from exc
    finally:
        await _discard_if_failed(gateway, run)
    for out in events.finish(fallback or NO_ANSWER):
        yield out


async def _at_once(gateway: Gateway, run: _Run) -> AsyncIterator[ThreadStreamEvent]:
    # Streaming costs a few milliseconds of events per answer that nobody would watch here.
    events = run.events
    hooks = ToolCallLog(gateway.settings.model_provider)
    fallback, replayed = None, []
    try:
        result = await Runner.run(
            run.agent,
            run.model_input,
            run_config=gateway.run_config,
            max_turns=gateway.settings.max_agent_turns,
            hooks=hooks,
        )
    except MaxTurnsExceeded as exc:
        replayed = _replay(events, exc.run_data.new_items if exc.run_data else [], hooks)
        fallback = TOO_MANY_STEPS
    except ProblemError:
        raise
    except Exception as exc:
        # The tool calls that ran before the model failed are stored, as a streamed turn's are.
        for out in _replay(events, [], hooks) + events.close_workflow():
            yield out
        raise _model_error(exc) from exc
    else:
        replayed = _replay(events, result.new_items, hooks)
    finally:
        await _discard_if_failed(gateway, run)
    for out in replayed + events.finish(fallback or NO_ANSWER):
        yield out


class ToolCallLog(ModelTimer):
    """The tool calls of a run, from its hooks: when each ran, and what those that finished
    returned (all that a failed run leaves to store)."""

    def __init__(self, provider: str) -> None:
        super().__init__(provider)
        self.times: dict[str, tuple[float, float]] = {}
        self.finished: list[tuple[ToolContext[Any], Any]] = []

    async def on_tool_start(
        self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Tool
    ) -> None:
        """A tool call begins."""
        if isinstance(context, ToolContext):
            self.times[context.tool_call_id] = (time.perf_counter(), 0.0)

    async def on_tool_end(
        self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Tool, result: object
    ) -> None:
        """A tool call returned."""
        if isinstance(context, ToolContext):
            started = self.times.get(context.tool_call_id, (time.perf_counter(), 0.0))[0]
            self.times[context.tool_call_id] = (started, time.perf_counter())
            self.finished.append((context, result))


def _replay(events: TurnEvents, items: list[RunItem], log: ToolCallLog) -> list[ThreadStreamEvent]:
    """Feed a finished run's items to `events`; without them, the tool calls the log saw."""
    out: list[ThreadStreamEvent] = []
    if items:
        for item in items:
            out += events.on_run_item(item, log.times)
        return out
    for call, result in log.finished:
        started, ended = log.times[call.tool_call_id]
        out += events.tool_started(call.tool_call_id, call.tool_name, call.tool_arguments, started)
        # Whether mcp-server answered is unknown here: a structured result says it did.
        answered = parse_output(result)[0] is not None
        out += events.tool_finished(call.tool_call_id, result, {OK_MARKER: answered}, ended)
    return out


async def _discard_if_failed(gateway: Gateway, run: _Run) -> None:
    if run.events.transport_failed and run.connection is not None:
        await gateway.mcp.discard(run.connection)


def _model_error(exc: Exception) -> ProblemError:
    logger.warning("the model failed: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
        return ModelUnavailable("The language model is unreachable right now. Please retry.")
    return ModelFailed("The language model failed to answer. Please retry.")
