"""The offline model's decisions: which tool to call next, or what to say, given the turn so far."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from agent_gateway.models.offline_intents import Intent
from agent_gateway.models.offline_replies import (
    ambiguous,
    confirmation,
    help_text,
    no_match,
    not_found,
    task_list,
    unavailable,
)

_STOPWORDS = {"the", "a", "an", "my", "to", "of", "and", "for", "on", "in", "task", "about"}
LIST_LIMIT = 100


@dataclass(frozen=True)
class ToolStep:
    """A tool the model called earlier in this turn, and what came back."""

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None = None


@dataclass(frozen=True)
class CallTool:
    """Decision: call this tool next."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """Decision: answer the user with this text."""

    text: str


def decide(
    intent: Intent, message: str, steps: list[ToolStep], tools: set[str]
) -> CallTool | Reply:
    """The next step of the turn: deterministic for the same message and tool results."""
    if not intent.needs_tools:
        return Reply(help_text(intent.action, message))
    if not steps:
        return _first_step(intent, tools)
    last = steps[-1]
    if last.error is not None:
        if re.search(r"not found", last.error, re.IGNORECASE):
            return Reply(not_found(last.arguments.get("task_id"), intent))
        return Reply(unavailable(intent))
    if intent.action == "list" or last.name != "list_tasks":
        return Reply(_after_action(intent, last))
    return _resolve_target(intent, last, tools)


def _first_step(intent: Intent, tools: set[str]) -> CallTool | Reply:
    if intent.action == "add":
        return _call(tools, "add_task", {"title": intent.title}, intent)
    if intent.action == "list":
        return _call(tools, "list_tasks", {"status": intent.status, "limit": LIST_LIMIT}, intent)
    if intent.task_id is None:
        return _call(tools, "list_tasks", {"status": "all", "limit": LIST_LIMIT}, intent)
    return _act_on(intent, intent.task_id, tools)


def _act_on(intent: Intent, task_id: int, tools: set[str]) -> CallTool | Reply:
    arguments: dict[str, Any] = {"task_id": task_id}
    if intent.action == "update":
        arguments["title"] = intent.title
    return _call(tools, f"{intent.action}_task", arguments, intent)


def _call(
    tools: set[str], name: str, arguments: dict[str, Any], intent: Intent
) -> CallTool | Reply:
    return CallTool(name, arguments) if name in tools else Reply(unavailable(intent))


def _resolve_target(intent: Intent, listing: ToolStep, tools: set[str]) -> CallTool | Reply:
    tasks = (listing.result or {}).get("tasks") or []
    matches = find_matches(tasks, intent.target or "", prefer_pending=intent.action == "complete")
    if not matches:
        return Reply(no_match(intent))
    if len(matches) > 1:
        return Reply(ambiguous(intent, matches))
    return _act_on(intent, int(matches[0]["id"]), tools)


def _after_action(intent: Intent, last: ToolStep) -> str:
    result = last.result or {}
    if last.name == "list_tasks":
        return task_list(result.get("tasks") or [], intent.status)
    return confirmation(last.name, result, last.arguments)


def find_matches(
    tasks: list[dict[str, Any]], target: str, *, prefer_pending: bool = False
) -> list[dict[str, Any]]:
    """Tasks whose title is, contains, or has every significant word of `target`."""
    wanted = _normal(target)
    exact = [task for task in tasks if _normal(task.get("title", "")) == wanted]
    phrase = [task for task in tasks if wanted and wanted in _normal(task.get("title", ""))]
    words = {_stem(word) for word in wanted.split() if word not in _STOPWORDS and len(word) > 1}
    loose = [
        task
        for task in tasks
        if words and words <= {_stem(word) for word in _normal(task.get("title", "")).split()}
    ]
    matches = exact or phrase or loose
    if prefer_pending and len(matches) > 1:
        pending = [task for task in matches if not task.get("completed")]
        matches = pending or matches
    return matches


def _stem(word: str) -> str:
    """'watering' and 'water', 'plants' and 'plant' name the same thing."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def parse_output(output: Any) -> tuple[dict[str, Any] | None, str | None]:
    """A tool output as the model sees it → (structured result, or the error text)."""
    text = _output_text(output)
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None, text
    if isinstance(value, dict) and ("task_id" in value or "tasks" in value):
        return value, None
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return parse_output(value["text"])
    return None, text


def _output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, dict):
        return str(output.get("text", json.dumps(output)))
    if isinstance(output, list):
        return "".join(_output_text(part) for part in output)
    return str(output)
