"""The offline model's decisions: which tool to call next, or what to say, given the turn so far."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from agent_gateway.models.offline_intents import Intent
from agent_gateway.models.offline_replies import (
    NOTHING_CHANGED,
    ambiguous,
    confirmation,
    help_text,
    no_match,
    not_found,
    nothing_pending,
    task_list,
    unavailable,
    which_task,
)

_STOPWORDS = {"the", "a", "an", "my", "to", "of", "and", "for", "on", "in", "task", "about"}
LIST_LIMIT = 100
Tools = Mapping[str, frozenset[str] | None]
"""The tools at hand, each with the arguments it accepts (None: not known, so any)."""
_REJECTED = re.compile(r"\b(?:reject|rejected|not approved|declined|denied)\b", re.IGNORECASE)


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


def plan(
    intents: list[Intent], message: str, steps: list[ToolStep], tools: Tools, time_zone: str
) -> CallTool | Reply:
    """The next step for a message of one or more requests, done in order: the steps already
    taken are handed to the request that made them, and the replies are joined at the end."""
    replies, used = [], 0
    for intent in intents:
        own: list[ToolStep] = []
        while isinstance(decision := decide(intent, message, own, tools, time_zone), CallTool):
            if used < len(steps) and steps[used].name == decision.name:
                own.append(steps[used])
                used += 1
            else:
                return decision
        replies.append(decision.text)
    return Reply("\n".join(replies))


def decide(
    intent: Intent,
    message: str,
    steps: list[ToolStep],
    tools: Tools | set[str],
    time_zone: str = "UTC",
) -> CallTool | Reply:
    """The next step of one request: deterministic for the same message and tool results."""
    known: Tools = tools if isinstance(tools, Mapping) else dict.fromkeys(tools)
    if not intent.needs_tools:
        return Reply(help_text(intent.action, message))
    if intent.refers_back and intent.task_id is None:
        return Reply(which_task(intent))
    if not steps:
        return _first_step(intent, known, time_zone)
    last = steps[-1]
    if last.error is not None:
        if _REJECTED.search(last.error):
            return Reply(NOTHING_CHANGED)
        if re.search(r"not found", last.error, re.IGNORECASE):
            return Reply(not_found(last.arguments.get("task_id"), intent))
        return Reply(unavailable(intent))
    if intent.action == "complete_all" and last.name == "list_tasks":
        ids = [int(task["id"]) for task in (last.result or {}).get("tasks") or []]
        if not ids:
            return Reply(nothing_pending())
        return _call(known, "complete_tasks", {"task_ids": ids}, intent)
    if intent.action == "list" or last.name != "list_tasks":
        return Reply(_after_action(intent, last))
    return _resolve_target(intent, last, known, time_zone)


def resolve_back(intent: Intent, last_task_id: int | None) -> Intent:
    """ "it" / "that" made concrete: the task the conversation mentioned last."""
    if intent.refers_back and last_task_id is not None:
        return replace(intent, task_id=last_task_id)
    return intent


def _first_step(intent: Intent, tools: Tools, time_zone: str) -> CallTool | Reply:
    if intent.action == "add":
        return _call(tools, "add_task", _with_zone(intent.changes(), time_zone), intent)
    if intent.action == "list":
        arguments = {"status": intent.status, "limit": LIST_LIMIT, **intent.filters()}
        if intent.due_after or intent.due_before:
            arguments["time_zone"] = time_zone
        return _call(tools, "list_tasks", arguments, intent)
    if intent.action == "delete_completed":
        return _call(tools, "delete_tasks", {"completed": True}, intent)
    if intent.action == "complete_all":
        if "complete_tasks" not in tools:
            return Reply(unavailable(intent))
        return _call(tools, "list_tasks", {"status": "pending", "limit": LIST_LIMIT}, intent)
    if intent.task_id is None:
        return _call(tools, "list_tasks", {"status": "all", "limit": LIST_LIMIT}, intent)
    return _act_on(intent, intent.task_id, tools, time_zone)


def _with_zone(arguments: dict[str, Any], time_zone: str) -> dict[str, Any]:
    # The zone a due moment or a rule belongs to: "every day at 9" stays 9 across DST.
    if "due_date" in arguments or "recurrence" in arguments:
        return {**arguments, "time_zone": time_zone}
    return arguments


def _act_on(intent: Intent, task_id: int, tools: Tools, time_zone: str) -> CallTool | Reply:
    arguments: dict[str, Any] = {"task_id": task_id}
    if intent.action == "update":
        arguments |= _with_zone(intent.changes(), time_zone)
    return _call(tools, f"{intent.action}_task", arguments, intent)


def _call(tools: Tools, name: str, arguments: dict[str, Any], intent: Intent) -> CallTool | Reply:
    if name not in tools:
        return Reply(unavailable(intent))
    accepted = tools[name]
    # Only what this server's tool accepts: an older server lacks the newer arguments.
    kept = {k: v for k, v in arguments.items() if accepted is None or k in accepted}
    return CallTool(name, kept)


def _resolve_target(
    intent: Intent, listing: ToolStep, tools: Tools, time_zone: str
) -> CallTool | Reply:
    tasks = (listing.result or {}).get("tasks") or []
    matches = find_matches(tasks, intent.target or "", prefer_pending=intent.action == "complete")
    if not matches:
        return Reply(no_match(intent))
    if len(matches) > 1:
        return Reply(ambiguous(intent, matches))
    return _act_on(intent, int(matches[0]["id"]), tools, time_zone)


def _after_action(intent: Intent, last: ToolStep) -> str:
    result = last.result or {}
    if last.name == "list_tasks":
        return task_list(result.get("tasks") or [], intent.status, bool(intent.filters()))
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
    if isinstance(value, dict) and ({"task_id", "tasks", "task_ids"} & value.keys()):
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
