"""The todo assistant: its instructions, the agent (built once per tools list), the model that
answers it, and the conversation as the model reads it."""

import json
from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from agents import (
    Agent,
    ModelProvider,
    OpenAIProvider,
    RunConfig,
    Tool,
    TResponseInputItem,
    set_tracing_disabled,
)
from openai import AsyncOpenAI
from openai.resources.chat import AsyncChat, AsyncCompletions

from agent_gateway.history_client import Message, StoredToolCall
from agent_gateway.local_time import local_now_sentence
from agent_gateway.models.offline import OfflineModelProvider
from agent_gateway.models.openai_compatible import flatten_tool_outputs
from agent_gateway.settings import Settings

INSTRUCTIONS = """\
You are a friendly, concise assistant that manages the user's todo list.
Use the task tools for every change or question about tasks; never invent tasks, ids or results.
- To add: add_task with a short, capitalised title.
- To list: list_tasks with status all, pending or completed as asked.
- To complete, delete or rename a task named by its title rather than its number: call list_tasks
  first, then act on the single matching task; if several match, ask which one; if none, say so.
- Confirm every action in one short friendly sentence that names the task and its number.
- If a tool reports an error (for example "Task 7 not found"), explain it plainly.
- Dates and times the user says are in their time zone below: pass due_date as ISO 8601 with
  that zone's offset (or a plain date for an all-day task) and time_zone as that zone.
- A repeating task ("every Monday") takes recurrence as an RRULE (FREQ=WEEKLY;BYDAY=MO) and a
  due_date of its first occurrence. For "what's due today/this week?" or "overdue", list_tasks
  with due_after/due_before or overdue. "It" or "that" is the task mentioned last.
{today}"""

TOOLS_UNAVAILABLE = """
The task tools are unavailable right now. Tell the user you cannot reach their task list at the
moment and ask them to try again shortly. Do not claim to have read or changed any task."""


UTC_ZONE = ZoneInfo("UTC")


def instructions(tools_available: bool, time_zone: ZoneInfo = UTC_ZONE) -> str:
    """The instructions for a model call made now, for a user in `time_zone`."""
    text = INSTRUCTIONS.format(today=local_now_sentence(datetime.now(time_zone)))
    return text if tools_available else text + TOOLS_UNAVAILABLE


def build_agent(model: str, tools: list[Tool] | None, time_zone: ZoneInfo = UTC_ZONE) -> Agent[Any]:
    """An agent around these tools for a user in `time_zone`; without tools it knows to say they
    are unavailable."""

    def current_instructions(_context: Any, _agent: Agent[Any]) -> str:
        return instructions(tools is not None, time_zone)

    return Agent(
        name="Todo Assistant", instructions=current_instructions, model=model, tools=tools or []
    )


def create_run_config(settings: Settings, model_provider: ModelProvider | None) -> RunConfig:
    """How every run calls the model: `model_provider` (tests pass one), else MODEL_PROVIDER's."""
    has_key = settings.openai_api_key is not None
    return RunConfig(
        model_provider=model_provider or create_model_provider(settings),
        tracing_disabled=not (settings.model_provider == "openai" and has_key),
        # Message text and tool arguments stay out of exported traces unless TRACE_INCLUDE_CONTENT.
        trace_include_sensitive_data=settings.trace_include_content,
        call_model_input_filter=(
            flatten_tool_outputs if settings.model_provider == "openai-compatible" else None
        ),
    )


def create_model_provider(settings: Settings) -> ModelProvider:
    """The provider MODEL_PROVIDER names; tracing export stays off without an OpenAI key."""
    api_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    set_tracing_disabled(settings.model_provider != "openai" or api_key is None)
    if settings.model_provider == "offline":
        return OfflineModelProvider()
    client = ModelClient(
        api_key=api_key or "not-needed",
        base_url=settings.openai_base_url,
        timeout=settings.model_timeout_seconds,
        max_retries=1,
    )
    return OpenAIProvider(openai_client=client, use_responses=settings.model_provider == "openai")


class ModelClient(AsyncOpenAI):
    """The OpenAI client, its Chat Completions requests built as `PlainJSONCompletions` says."""

    @cached_property
    def chat(self) -> AsyncChat:
        return PlainJSONChat(self)


class PlainJSONChat(AsyncChat):
    @cached_property
    def completions(self) -> AsyncCompletions:
        return PlainJSONCompletions(self._client)


class PlainJSONCompletions(AsyncCompletions):
    """Chat Completions that send `messages` and `tools` in `extra_body`.

    `create` first rewrites its arguments by walking them against their declared types — every
    message against each type of the message union — which costs more CPU than anything else in a
    model call once the conversation is long, and changes nothing here: the Agents SDK passes them
    as plain JSON already. openai merges `extra_body` into the request after that walk, so the
    request's JSON is the same, key for key (`[]` keeps each key's place and satisfies `create`'s
    required arguments)."""

    async def create(self, **arguments: Any) -> Any:
        moved = {k: v for k in ("messages", "tools") if isinstance(v := arguments.get(k), list)}
        if moved:
            extra = {**moved, **(arguments.get("extra_body") or {})}  # the caller's own win
            arguments = {**arguments, **{key: [] for key in moved}, "extra_body": extra}
        return await super().create(**arguments)


TRUNCATED = "… [truncated: {:,} more characters]"
"""What follows a cut tool result."""
Replayed = list[tuple[Message, list[TResponseInputItem]]]


def to_input_items(
    messages: Sequence[Message],
    *,
    window_chars: int | None = None,
    tool_result_chars: int | None = None,
) -> list[TResponseInputItem]:
    """Chronological messages as the model reads them: user and assistant messages, and each tool
    call as a function call followed by its output.

    With `window_chars`, the oldest messages are dropped until the rest fit in that many
    characters, except the last user message and what follows it (the turn being answered),
    which are always kept. With `tool_result_chars`, each tool result is cut to that many."""
    replayed = [
        (message, _message_items(message, tool_result_chars)) for message in trim_window(messages)
    ]
    if window_chars is not None and replayed:
        replayed = _newest_within(replayed, window_chars)
    return [item for _message, items in replayed for item in items]


def trim_window(messages: Sequence[Message]) -> list[Message]:
    """Drop what precedes the first user message, so that the model's view never opens mid-turn."""
    for index, message in enumerate(messages):
        if message.role == "user":
            return list(messages[index:])
    return []


def truncated(text: str, limit: int | None) -> str:
    """`text` cut to `limit` characters, with a note saying how much was cut."""
    if limit is None or len(text) <= limit:
        return text
    return text[:limit] + TRUNCATED.format(len(text) - limit)


def _newest_within(replayed: Replayed, window_chars: int) -> Replayed:
    """The newest messages whose replayed text fits in `window_chars`, the current turn always
    included, starting at a user message."""
    current = max(i for i, (message, _items) in enumerate(replayed) if message.role == "user")
    start, used = current, sum(_chars(items) for _message, items in replayed[current:])
    while start > 0 and used + _chars(replayed[start - 1][1]) <= window_chars:
        start -= 1
        used += _chars(replayed[start][1])
    while replayed[start][0].role != "user":  # never open mid-turn
        start += 1
    return replayed[start:]


def _chars(items: list[TResponseInputItem]) -> int:
    """How many characters of text the model reads in these items."""
    fields = ("content", "arguments", "output")
    return sum(len(str(value)) for item in items for key, value in item.items() if key in fields)


def _message_items(message: Message, tool_result_chars: int | None) -> list[TResponseInputItem]:
    if message.role == "user":
        return [{"role": "user", "content": message.content}]
    if message.role not in ("assistant", "tool"):
        return []
    items: list[TResponseInputItem] = []
    for index, call in enumerate(message.tool_calls or []):
        items.extend(_call_items(call, f"{message.id}-{index}", tool_result_chars))
    if message.role == "assistant" and message.content:
        items.append({"role": "assistant", "content": message.content})
    return items


def _call_items(
    call: StoredToolCall, fallback_id: str, tool_result_chars: int | None
) -> list[TResponseInputItem]:
    # A call and its output are stored together, so they are replayed together or not at all.
    call_id = call.id or fallback_id
    arguments = call.arguments if call.arguments not in (None, "") else {}
    output = truncated(_as_text(call.result), tool_result_chars)
    return [
        {
            "type": "function_call",
            "call_id": call_id,
            "name": call.name,
            "arguments": _as_text(arguments),
        },
        {"type": "function_call_output", "call_id": call_id, "output": output},
    ]


def _as_text(value: Any) -> str:
    """A stored JSON value as the model reads it: a string as its text, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)
