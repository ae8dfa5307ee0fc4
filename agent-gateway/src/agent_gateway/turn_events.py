"""One agent run → ChatKit thread events: tool calls as workflow tasks, text as a streamed message."""

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from agents import ItemHelpers, RunItem, StreamEvent
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)

from agent_gateway.context import RequestContext
from agent_gateway.history_client import StoredToolCall
from agent_gateway.ids import assistant_message_id, workflow_id
from agent_gateway.items import tool_task
from agent_gateway.mcp_tools import OK_MARKER
from agent_gateway.metrics import record_tool_call
from agent_gateway.models.offline_policy import parse_output
from todo_common import jsontext

NO_ANSWER = "Sorry, I couldn't come up with an answer to that. Please try again."


class TurnEvents:
    """Builds the turn's items with ids derived from the user message, so a retry finds them."""

    def __init__(
        self,
        thread_id: str,
        user_message_id: str,
        context: RequestContext,
        *,
        streaming: bool = True,
    ) -> None:
        self.thread_id = thread_id
        self.streaming = streaming
        self.user_message_id = user_message_id
        self.context = context
        self.workflow: WorkflowItem | None = None
        self.workflow_calls: list[StoredToolCall] = []
        self.workflows_done = 0
        self.running: dict[str, tuple[int, str, Any, float]] = {}
        self.calls: list[StoredToolCall] = []
        self.message: AssistantMessageItem | None = None
        self.transport_failed = False

    @property
    def text(self) -> str:
        """The assistant text so far."""
        return self.message.content[0].text if self.message else ""

    def on_agent_event(self, event: StreamEvent) -> list[ThreadStreamEvent]:
        """The ChatKit events one Agents SDK stream event produces."""
        if event.type == "run_item_stream_event" and event.item.type != "message_output_item":
            return self.on_run_item(event.item)
        if event.type == "raw_response_event" and event.data.type == "response.output_text.delta":
            return self.add_text(event.data.delta)
        return []

    def on_run_item(
        self, item: RunItem, times: Mapping[str, tuple[float, float]] | None = None
    ) -> list[ThreadStreamEvent]:
        """The ChatKit events one finished run item produces (a streamed run's text comes in
        deltas instead, see `on_agent_event`). `times`: when each tool call (by call id) started
        and ended, for items handed over after the run; else they happen now."""
        if item.type == "tool_call_item":
            raw = item.raw_item
            call_id = _get(raw, "call_id")
            started = (times or {}).get(call_id, (None, None))[0]
            return self.tool_started(call_id, _get(raw, "name"), _get(raw, "arguments"), started)
        if item.type == "tool_call_output_item":
            call_id = _get(item.raw_item, "call_id")
            ended = (times or {}).get(call_id, (None, None))[1]
            return self.tool_finished(call_id, item.output, item.custom_data, ended)
        if item.type == "message_output_item":
            return self.add_text(ItemHelpers.text_message_output(item))
        return []

    def tool_started(
        self, call_id: str | None, name: str | None, arguments: Any, at: float | None = None
    ) -> list[ThreadStreamEvent]:
        """A tool call begins (`at`, a `perf_counter` reading; now if not given): a task in the
        open workflow (opened first if needed)."""
        name, call_id = name or "tool", call_id or ""
        task = tool_task(None, name, running=True)
        if self.workflow is None:
            self.workflow = WorkflowItem(
                id=workflow_id(self.user_message_id, self.workflows_done),
                thread_id=self.thread_id,
                created_at=datetime.now(UTC),
                workflow=Workflow(type="custom", tasks=[task]),
            )
            # Registered now so that a cancelled stream still stores the calls that finished.
            self.workflow_calls = []
            self.context.tool_calls[self.workflow.id] = self.workflow_calls
            event: ThreadStreamEvent = ThreadItemAddedEvent(
                item=self.workflow.model_copy(deep=True)
            )
        else:
            self.workflow.workflow.tasks.append(task)
            index = len(self.workflow.workflow.tasks) - 1
            event = ThreadItemUpdatedEvent(
                item_id=self.workflow.id, update=WorkflowTaskAdded(task_index=index, task=task)
            )
        index = len(self.workflow.workflow.tasks) - 1
        self.running[call_id] = (index, name, arguments, at or time.perf_counter())
        return [event]

    def tool_finished(
        self,
        call_id: str | None,
        output: Any,
        outcome: Mapping[str, Any] | None,
        at: float | None = None,
    ) -> list[ThreadStreamEvent]:
        """A tool call returned `output`; `outcome` is its MCP custom data, which only an answer
        from mcp-server carries (None: the connection failed)."""
        call_id = call_id or ""
        if self.workflow is None or call_id not in self.running:
            return []
        index, name, arguments, started = self.running.pop(call_id)
        duration = (at or time.perf_counter()) - started
        call = _stored_call(call_id, name, arguments, output, outcome, duration)
        self.transport_failed |= outcome is None
        self.workflow_calls.append(call)
        self.calls.append(call)
        task = tool_task(call, name)
        self.workflow.workflow.tasks[index] = task
        update = WorkflowTaskUpdated(task_index=index, task=task)
        return [ThreadItemUpdatedEvent(item_id=self.workflow.id, update=update)]

    def close_workflow(self) -> list[ThreadStreamEvent]:
        """Finish the open group of tool calls; the store keeps their calls with the item."""
        if self.workflow is None:
            return []
        workflow, self.workflow = self.workflow, None
        self.workflows_done += 1
        return [ThreadItemDoneEvent(item=workflow)]

    def add_text(self, delta: str) -> list[ThreadStreamEvent]:
        """More assistant text, opening the message first; streamed only to a listening client."""
        events = self.close_workflow()
        if self.message is None:
            self.message = AssistantMessageItem(
                id=assistant_message_id(self.user_message_id),
                thread_id=self.thread_id,
                created_at=datetime.now(UTC),
                content=[AssistantMessageContent(text="")],
            )
            if self.streaming:
                events.append(ThreadItemAddedEvent(item=self.message.model_copy(deep=True)))
                part = AssistantMessageContentPartAdded(
                    content_index=0, content=AssistantMessageContent(text="")
                )
                events.append(ThreadItemUpdatedEvent(item_id=self.message.id, update=part))
        self.message.content[0].text += delta
        if self.streaming:
            update = AssistantMessageContentPartTextDelta(content_index=0, delta=delta)
            events.append(ThreadItemUpdatedEvent(item_id=self.message.id, update=update))
        return events

    def finish(self, fallback: str = NO_ANSWER) -> list[ThreadStreamEvent]:
        """Close everything; the assistant message is done (and stored) last."""
        events = self.close_workflow()
        if self.message is None or not self.text.strip():
            events += self.add_text(fallback)
        assert self.message is not None
        events.append(ThreadItemDoneEvent(item=self.message.model_copy(deep=True)))
        return events


def _stored_call(
    call_id: str,
    name: str,
    arguments: Any,
    output: Any,
    outcome: Mapping[str, Any] | None,
    duration: float,
) -> StoredToolCall:
    outcome = outcome or {}
    structured, error = parse_output(output)
    result = structured if structured is not None else error
    call = StoredToolCall(
        id=call_id or "call",
        name=name,
        arguments=_arguments(arguments),
        result=result,
        status="ok" if outcome.get(OK_MARKER) else "error",
        duration_ms=round(duration * 1000, 3),
    )
    record_tool_call(call.name, call.status, call.duration_ms or 0.0)
    return call


def _arguments(raw: Any) -> dict[str, Any] | str | None:
    if isinstance(raw, str):
        try:
            # Strict JSON (no NaN or Infinity, which history-service refuses): else kept as text.
            value = jsontext.loads(raw or "{}")
        except ValueError:
            return raw
        return value if isinstance(value, dict) else raw
    return raw


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)
