"""The crash-safety promise, checked against what history-service and mcp-server hold.

Every check returns violations as sentences (empty: the promise held), so one run reports every
way it broke, not just the first.
"""

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import aiohttp

from tests.conftest import ARTIFACTS
from tests.reliability.client import Turn
from todo_testing.tokens import auth_header

Message = dict[str, Any]
Task = dict[str, Any]
TOOL_FOR = {
    "add": "add_task",
    "list": "list_tasks",
    "complete": "complete_task",
    "delete": "delete_task",
}
READ_TIMEOUT = aiohttp.ClientTimeout(total=30)


async def _all_pages(
    session: aiohttp.ClientSession,
    url: str,
    user: str,
    params: dict[str, Any],
    items: str,
    cursor: str,
) -> list[Any]:
    """Every item of a paged listing: `items` holds a page, `next_cursor` goes in `cursor`."""
    found: list[Any] = []
    while True:
        async with session.get(
            url, params=params, headers=auth_header(user), timeout=READ_TIMEOUT
        ) as response:
            assert response.status == 200, await response.text()
            page = await response.json()
        found += page[items]
        if not page.get("next_cursor"):
            return found
        params[cursor] = page["next_cursor"]


async def stored_messages(
    session: aiohttp.ClientSession, history_url: str, user: str, conversation_id: str
) -> list[Message]:
    """Every message of the conversation, oldest first, read from history-service directly."""
    url = f"{history_url}/api/{user}/conversations/{conversation_id}/messages"
    params: dict[str, Any] = {"limit": 200, "order": "asc"}
    return await _all_pages(session, url, user, params, "items", "after")


async def stored_tasks(session: aiohttp.ClientSession, mcp_url: str, user: str) -> list[Task]:
    """Every task of the user (pending and completed), read from mcp-server's REST face."""
    url = f"{mcp_url}/api/{user}/tasks"
    params: dict[str, Any] = {"limit": 100, "status": "all"}
    return await _all_pages(session, url, user, params, "tasks", "cursor")


def tool_calls(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Every tool call stored in the conversation, in order."""
    return [call for message in messages for call in message.get("tool_calls") or []]


def _brief(call: dict[str, Any]) -> str:
    return (
        f"{call['name']}({call.get('arguments')}) {call['status']}: {str(call.get('result'))[:120]}"
    )


def check_ack(turn: Turn) -> list[str]:
    """An acknowledged turn did what it asked, and says so (a 200 never claims a failure)."""
    label = f"turn {turn.message_id} ({turn.message!r})"
    if turn.ack is None:
        return [f"{label} was never acknowledged: last failures {turn.failures[-3:]}"]
    tool = TOOL_FOR.get(turn.action)
    if tool is None:
        return []
    calls = turn.ack["tool_calls"]
    response: str = turn.ack["response"]
    ok = [c for c in calls if c["name"] == tool and c["status"] == "ok"]
    if not ok:
        summary = [_brief(c) for c in calls]
        return [f"{label} answered 200 {response[:160]!r} without a successful {tool}: {summary}"]
    problems = [
        f"{label}: acknowledged with a failed tool call {_brief(c)}"
        for c in calls
        if c["status"] != "ok"
    ]
    result = ok[-1].get("result") or {}
    if turn.action == "add" and (
        result.get("title") != turn.title or f"{turn.title}" not in response
    ):
        problems.append(
            f"{label} answered about another task: {response[:160]!r}, {_brief(ok[-1])}"
        )
    if turn.action in ("complete", "delete") and result.get("task_id") != turn.task_id:
        problems.append(f"{label} acted on another task: {_brief(ok[-1])}")
    if turn.action == "list":
        problems += _check_listing(label, response, turn)
    return problems


def _check_listing(label: str, response: str, turn: Turn) -> list[str]:
    def shown(title: str) -> bool:
        return re.search(rf" {re.escape(title)}$", response, re.MULTILINE) is not None

    missing = [t for t in turn.expect_listed if not shown(t)]
    extra = [t for t in turn.expect_absent if shown(t)]
    problems = [f"{label}: the listing lacks {missing}"] if missing else []
    return problems + ([f"{label}: the listing still shows deleted {extra}"] if extra else [])


def check_sequential_turns(turns: Sequence[Turn], messages: Sequence[Message]) -> list[str]:
    """For turns sent one after another: each user message stored once, followed by its tool
    calls and exactly one final (not partial) answer — the one the client was given."""
    problems = [
        f"message id {mid} stored {n} times"
        for mid, n in Counter(m["id"] for m in messages).items()
        if n > 1
    ]
    user_positions = [i for i, m in enumerate(messages) if m["role"] == "user"]
    for turn in turns:
        label = f"turn {turn.message_id} ({turn.message!r})"
        mine = [i for i in user_positions if messages[i]["id"] == turn.message_id]
        if len(mine) != 1:
            problems.append(f"{label}: {len(mine)} user messages stored")
            continue
        if messages[mine[0]]["content"] != turn.message:
            problems.append(f"{label}: stored as {messages[mine[0]]['content']!r}")
        end = next((i for i in user_positions if i > mine[0]), len(messages))
        problems += _check_segment(label, turn, list(messages[mine[0] + 1 : end]))
    return problems


def _check_segment(label: str, turn: Turn, segment: list[Message]) -> list[str]:
    roles = [m["role"] for m in segment]
    answers = [m for m in segment if m["role"] == "assistant"]
    if not turn.acknowledged:
        return []
    if len(answers) != 1:
        texts = [a["content"][:80] for a in answers]
        return [f"{label}: {len(answers)} answers stored {texts} (stored roles after it: {roles})"]
    answer = answers[0]
    problems = []
    if segment[-1] is not answer:
        problems.append(f"{label}: something stored after its answer: {roles}")
    if (answer.get("metadata") or {}).get("partial"):
        problems.append(f"{label}: its answer is stored as partial")
    assert turn.ack is not None
    if answer["content"] != turn.ack["response"]:
        problems.append(
            f"{label}: answered {turn.ack['response'][:100]!r} but stored {answer['content'][:100]!r}"
        )
    stored = [c["name"] for c in tool_calls(segment)]
    given = [c["name"] for c in turn.ack["tool_calls"]]
    if stored != given:
        problems.append(f"{label}: answered with tool calls {given} but stored {stored}")
    return problems


def check_tool_calls(messages: Sequence[Message]) -> list[str]:
    """No stored tool call failed (the workloads never ask for anything that can fail, so a
    'not found' is a redo), and no task was added, completed or deleted twice."""
    calls = tool_calls(messages)
    problems = [f"stored tool call failed: {_brief(c)}" for c in calls if c["status"] != "ok"]
    ok = [c for c in calls if c["status"] == "ok" and isinstance(c.get("result"), dict)]
    adds = Counter(c["result"].get("title") for c in ok if c["name"] == "add_task")
    problems += [f"add_task of {title!r} stored {n} times" for title, n in adds.items() if n > 1]
    for name in ("complete_task", "delete_task"):
        done = Counter(c["result"].get("task_id") for c in ok if c["name"] == name)
        problems += [f"{name} of task #{tid} stored {n} times" for tid, n in done.items() if n > 1]
    return problems


def expected_tasks(turns: Sequence[Turn]) -> dict[str, bool]:
    """Title → completed, for the tasks the acknowledged turns leave behind."""
    expected: dict[str, bool] = {}
    for turn in turns:
        if turn.ack is None or turn.title is None:
            continue
        if turn.action == "add":
            expected[turn.title] = False
        elif turn.action == "complete" and turn.title in expected:
            expected[turn.title] = True
        elif turn.action == "delete":
            expected.pop(turn.title, None)
    return expected


def check_tasks(
    turns: Sequence[Turn], messages: Sequence[Message], tasks: Sequence[Task]
) -> list[str]:
    """mcp-server holds exactly the tasks the turns asked for, each title once, and every task
    change it holds is a tool call in history."""
    titles = Counter(t["title"] for t in tasks)
    problems = [f"{n} tasks titled {title!r}" for title, n in titles.items() if n > 1]
    actual = {t["title"]: t for t in tasks}
    for title, completed in expected_tasks(turns).items():
        if title not in actual:
            problems.append(f"task {title!r} is missing")
        elif actual[title]["completed"] != completed:
            problems.append(f"task {title!r} has completed={actual[title]['completed']}")
    asked = {t.title for t in turns if t.action == "add"}
    problems += [
        f"task {title!r} exists but no turn added it" for title in actual if title not in asked
    ]
    problems += _check_against_history(messages, tasks)
    return problems


def _check_against_history(messages: Sequence[Message], tasks: Sequence[Task]) -> list[str]:
    """Replaying history's successful tool calls gives mcp-server's tasks exactly."""
    live: dict[int, bool] = {}
    for call in tool_calls(messages):
        result = call.get("result")
        if call["status"] != "ok" or not isinstance(result, dict):
            continue
        task_id = result.get("task_id")
        if not isinstance(task_id, int):
            continue
        if call["name"] == "add_task":
            live[task_id] = False
        elif call["name"] == "complete_task" and task_id in live:
            live[task_id] = True
        elif call["name"] == "delete_task":
            live.pop(task_id, None)
    problems = []
    for task in tasks:
        if task["id"] not in live:
            problems.append(f"task #{task['id']} {task['title']!r} has no add_task in history")
        elif task["completed"] and not live[task["id"]]:
            problems.append(f"task #{task['id']} {task['title']!r} completed, not in history")
    existing = {task["id"] for task in tasks}
    problems += [
        f"task #{tid} added in history is gone without a delete_task"
        for tid in live
        if tid not in existing
    ]
    return problems


def check_conversation(
    turns: Sequence[Turn], messages: Sequence[Message], tasks: Sequence[Task]
) -> list[str]:
    """Every check of a conversation whose turns were sent one after another."""
    problems = [p for turn in turns for p in check_ack(turn)]
    problems += check_sequential_turns(turns, messages)
    problems += check_tool_calls(messages)
    return problems + check_tasks(turns, messages, tasks)


def report(problems: Sequence[str], name: str, limit: int = 30) -> str:
    """The violations for an assertion message: how many of each kind, then the first `limit`
    (all of them go to test-artifacts/<name>-violations.txt)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}-violations.txt").write_text("\n".join(problems) + "\n")
    kinds = Counter(_kind(problem) for problem in problems)
    summary = "\n  ".join(f"{n:4d} x {kind}" for kind, n in kinds.most_common())
    shown = "\n  ".join(problems[:limit])
    more = f"\n  … and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} violations, by kind:\n  {summary}\nfirst:\n  {shown}{more}"


def _kind(problem: str) -> str:
    """A violation with its particulars (quotes, numbers, ids) blanked, to group alike ones."""
    text = re.sub(r"^[\w-]+: ", "", problem).replace("answered 200", "answered OK")
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]|\{[^}]*\}", "…", text)
    text = re.sub(r"\b[\w-]*\d[\w-]*\b", "N", text)
    return text.replace("answered OK", "answered 200")[:110]


async def conversation_problems(
    session: aiohttp.ClientSession,
    history_url: str,
    mcp_url: str,
    user: str,
    conversation_id: str | None,
    turns: Sequence[Turn],
) -> list[str]:
    """Read the user's conversation and tasks, then run every check of `check_conversation`."""
    if conversation_id is None:
        return [f"{user}: no turn was ever acknowledged"] + [p for t in turns for p in check_ack(t)]
    messages = await stored_messages(session, history_url, user, conversation_id)
    tasks = await stored_tasks(session, mcp_url, user)
    return check_conversation(turns, messages, tasks)
