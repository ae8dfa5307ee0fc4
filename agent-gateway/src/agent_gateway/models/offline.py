"""The offline model: a real, deterministic Agents SDK `Model` for the todo domain, no network."""

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from agents import Model, ModelProvider, ModelResponse, ModelSettings, Tool, Usage
from agents.items import TResponseInputItem, TResponseOutputItem, TResponseStreamEvent
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
)

from agent_gateway.local_time import read_local_now
from agent_gateway.models.offline_intents import parse_all
from agent_gateway.models.offline_policy import (
    CallTool,
    Tools,
    ToolStep,
    parse_output,
    plan,
    resolve_back,
)


class OfflineModel(Model):
    """Understands todo requests by rules, chains the MCP task tools, and streams its answers."""

    def next_output(
        self,
        input: str | list[TResponseInputItem],
        tools: list[Tool],
        system_instructions: str | None = None,
    ) -> TResponseOutputItem:
        """The one output item this call produces: a tool call or a message. Dates are read
        relative to the local now the instructions state (UTC now when they state none)."""
        items = [{"role": "user", "content": input}] if isinstance(input, str) else input
        message, steps, earlier = _current_turn(items)
        now = read_local_now(system_instructions) or datetime.now(UTC)
        last_task = _last_task_id(earlier)
        intents = [resolve_back(intent, last_task) for intent in parse_all(message, now)]
        decision = plan(intents, message, steps, _accepted(tools), str(now.tzinfo))
        if isinstance(decision, CallTool):
            return ResponseFunctionToolCall(
                id=_new("fc"),
                call_id=_new("call"),
                type="function_call",
                name=decision.name,
                arguments=json.dumps(decision.arguments),
                status="completed",
            )
        return ResponseOutputMessage(
            id=_new("msg"),
            type="message",
            role="assistant",
            status="completed",
            content=[ResponseOutputText(type="output_text", text=decision.text, annotations=[])],
        )

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        *args: Any,
        **kwargs: Any,
    ) -> ModelResponse:
        """The whole answer at once."""
        output = self.next_output(input, tools, system_instructions)
        return ModelResponse(output=[output], usage=Usage(requests=1), response_id=None)

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        *args: Any,
        **kwargs: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        """The answer as Responses stream events: text arrives a few words at a time."""
        output = self.next_output(input, tools, system_instructions)
        for event in stream_events(output):
            yield event


class OfflineModelProvider(ModelProvider):
    """Hands out the offline model whatever name is asked for."""

    def get_model(self, model_name: str | None) -> Model:
        """The offline model (it keeps no state, so one instance serves every turn)."""
        return _MODEL


_MODEL = OfflineModel()


def _new(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _current_turn(items: list[Any]) -> tuple[str, list[ToolStep], list[ToolStep]]:
    """The latest user message, the tool calls made since (paired with their outputs), and the
    tool calls of the conversation before it."""
    start = max((i for i, item in enumerate(items) if _field(item, "role") == "user"), default=-1)
    message = _text(_field(items[start], "content")) if start >= 0 else ""
    return message, _steps(items[start + 1 :]), _steps(items[: max(start, 0)])


def _steps(items: list[Any]) -> list[ToolStep]:
    calls: dict[str, Any] = {}
    steps: list[ToolStep] = []
    for item in items:
        kind = _field(item, "type")
        if kind == "function_call":
            calls[_field(item, "call_id")] = item
        elif kind == "function_call_output" and (call := calls.get(_field(item, "call_id"))):
            result, error = parse_output(_field(item, "output"))
            arguments = json.loads(_field(call, "arguments") or "{}")
            steps.append(ToolStep(_field(call, "name"), arguments, result, error))
    return steps


def _last_task_id(steps: list[ToolStep]) -> int | None:
    """The task the conversation mentioned last: the one a tool acted on, or a one-task listing."""
    for step in reversed(steps):
        result = step.result or {}
        if isinstance(result.get("task_id"), int):
            return int(result["task_id"])
        tasks = result.get("tasks")
        if isinstance(tasks, list) and len(tasks) == 1 and isinstance(tasks[0], dict):
            return int(tasks[0]["id"])
    return None


def _accepted(tools: list[Tool]) -> Tools:
    """Each tool's argument names, from its JSON schema (None when it has none to read)."""
    accepted: dict[str, frozenset[str] | None] = {}
    for tool in tools:
        schema = getattr(tool, "params_json_schema", None)
        properties = schema.get("properties") if isinstance(schema, dict) else None
        accepted[tool.name] = frozenset(properties) if isinstance(properties, dict) else None
    return accepted


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(_field(part, "text") or "") for part in content)
    return ""


def stream_events(output: TResponseOutputItem) -> list[TResponseStreamEvent]:
    """The Responses stream events that deliver one output item."""
    response = Response(
        id=_new("resp"),
        created_at=0,
        model="offline",
        object="response",
        output=[],
        tool_choice="auto",
        tools=[],
        parallel_tool_calls=False,
        status="in_progress",
    )
    events: list[Any] = [
        ResponseCreatedEvent(type="response.created", response=response, sequence_number=0)
    ]
    if isinstance(output, ResponseOutputMessage):
        events.extend(_message_events(output))
    else:
        events.extend(_call_events(output))
    done = response.model_copy(update={"output": [output], "status": "completed"})
    events.append(
        ResponseCompletedEvent(type="response.completed", response=done, sequence_number=0)
    )
    for number, event in enumerate(events):
        event.sequence_number = number
    return events


def _message_events(message: ResponseOutputMessage) -> list[Any]:
    text = message.content[0].text  # type: ignore[union-attr]  # ours: one output_text part
    empty = ResponseOutputText(type="output_text", text="", annotations=[])
    started = message.model_copy(update={"content": [], "status": "in_progress"})
    common = {"item_id": message.id, "output_index": 0, "content_index": 0, "sequence_number": 0}
    events: list[Any] = [
        ResponseOutputItemAddedEvent(
            type="response.output_item.added", item=started, output_index=0, sequence_number=0
        ),
        ResponseContentPartAddedEvent(type="response.content_part.added", part=empty, **common),
    ]
    for chunk in re.findall(r"\S+(?:\s+\S+){0,3}\s*|\s+", text):
        events.append(
            ResponseTextDeltaEvent(
                type="response.output_text.delta", delta=chunk, logprobs=[], **common
            )
        )
    events += [
        ResponseTextDoneEvent(type="response.output_text.done", text=text, logprobs=[], **common),
        ResponseContentPartDoneEvent(
            type="response.content_part.done", part=message.content[0], **common
        ),
        ResponseOutputItemDoneEvent(
            type="response.output_item.done", item=message, output_index=0, sequence_number=0
        ),
    ]
    return events


def _call_events(call: Any) -> list[Any]:
    return [
        ResponseOutputItemAddedEvent(
            type="response.output_item.added", item=call, output_index=0, sequence_number=0
        ),
        ResponseFunctionCallArgumentsDeltaEvent(
            type="response.function_call_arguments.delta",
            item_id=call.id,
            output_index=0,
            delta=call.arguments,
            sequence_number=0,
        ),
        ResponseOutputItemDoneEvent(
            type="response.output_item.done", item=call, output_index=0, sequence_number=0
        ),
    ]
