"""The stateless turn: load the window, run the agent with the caller's tools, stream what happens.

Storing is the caller's part: ChatKitServer stores every `ThreadItemDoneEvent` before sending it,
and the REST endpoint does the same, so both store identical items through one `Store`.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import openai
from agents import MaxTurnsExceeded, Runner
from chatkit.types import ThreadStreamEvent

from agent_gateway.context import Gateway, RequestContext
from agent_gateway.history_client import WindowMessage
from agent_gateway.history_window import to_input_items
from agent_gateway.metrics import TURN_SECONDS, ModelTimer
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

    Without `streaming` (nobody watches), text deltas are not turned into events. `window` is
    the conversation's newest messages when the caller already read them (see `load_window`).
    """
    started, outcome = time.perf_counter(), "error"
    try:
        async for event in _answer(gateway, context, thread_id, user_message_id, streaming, window):
            yield event
        outcome = "ok"
    except (asyncio.CancelledError, GeneratorExit):
        outcome = "cancelled"
        raise
    finally:
        TURN_SECONDS.labels(outcome).observe(time.perf_counter() - started)


async def _answer(
    gateway: Gateway,
    context: RequestContext,
    thread_id: str,
    user_message_id: str,
    streaming: bool,
    window: list[WindowMessage] | None,
) -> AsyncIterator[ThreadStreamEvent]:
    caller = context.principal
    if window is None:
        window = await load_window(gateway, caller, thread_id)
    model_input = to_input_items(window)
    connection = await gateway.mcp.connection_for_turn(caller.token)
    agent = gateway.agents.for_tools(connection.tools if connection else None)
    result = Runner.run_streamed(
        agent,
        model_input,
        run_config=gateway.run_config,
        max_turns=gateway.settings.max_agent_turns,
        hooks=ModelTimer(gateway.settings.model_provider),
    )
    events = TurnEvents(thread_id, user_message_id, context, streaming=streaming)
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
        if events.transport_failed and connection is not None:
            await gateway.mcp.discard(connection)
    for out in events.finish(fallback or NO_ANSWER):
        yield out


def _model_error(exc: Exception) -> ProblemError:
    logger.warning("the model failed: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
        return ModelUnavailable("The language model is unreachable right now. Please retry.")
    return ModelFailed("The language model failed to answer. Please retry.")
