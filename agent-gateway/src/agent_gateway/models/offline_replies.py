"""What the offline model says: short, friendly sentences for each outcome."""

from datetime import date, datetime
from typing import Any

from agent_gateway.models.offline_intents import Intent

CAPABILITIES = (
    "Here is what I can do:\n"
    '- add a task: "Add a task to buy groceries", "Remind me to pay rent every month on the 1st"\n'
    '- set a date, time or priority: "Buy milk tomorrow at 5pm, high priority"\n'
    '- show your tasks: "Show me all my tasks", "What\'s pending?", "What\'s due this week?"\n'
    '- complete a task: "Mark task 3 as complete", "Mark it done"\n'
    '- reschedule: "Move the dentist to Friday 3pm"\n'
    '- delete: "Delete the meeting task", "Delete all completed tasks"\n'
    "- rename a task: \"Change task 1 to 'Call mom tonight'\""
)
NOTHING_CHANGED = "OK, I didn't do it: nothing was changed."
_VERB = {
    "add": "add that task",
    "list": "look up your tasks",
    "complete": "mark that task as complete",
    "delete": "delete that task",
    "update": "update that task",
    "delete_completed": "delete your completed tasks",
    "complete_all": "complete those tasks",
}


def help_text(action: str, message: str) -> str:
    """Greetings, thanks, and an honest answer to anything outside the todo domain."""
    if action == "greet":
        return f"Hi! I'm your todo assistant. {CAPABILITIES}"
    if action == "thanks":
        return "You're welcome! Anything else for your list?"
    quoted = message if len(message) <= 80 else f"{message[:77]}..."
    return f'I\'m not sure how to help with "{quoted}". {CAPABILITIES}'


def unavailable(intent: Intent) -> str:
    """The task tools could not be reached: say so, claim nothing."""
    return (
        "Sorry, the task tools are unavailable right now, so I couldn't "
        f"{_VERB.get(intent.action, 'do that')}. Please try again in a moment."
    )


def not_found(task_id: Any, intent: Intent) -> str:
    """A task number that does not exist (or is not the user's)."""
    name = f"task #{task_id}" if task_id is not None else "that task"
    return f'I couldn\'t find {name}. Say "show my tasks" to see your tasks and their numbers.'


def no_match(intent: Intent) -> str:
    """No task title matches the words the user used."""
    return (
        f'I couldn\'t find a task matching "{intent.target}". '
        'Say "show my tasks" to see what\'s on your list.'
    )


def which_task(intent: Intent) -> str:
    """ "it" with no task mentioned earlier in the conversation."""
    return 'Which task do you mean? Say its number, for example "mark task 3 as complete".'


def nothing_pending() -> str:
    """A bulk completion with nothing left to complete."""
    return "Nothing pending, you're all caught up!"


def ambiguous(intent: Intent, matches: list[dict[str, Any]]) -> str:
    """Several tasks match: ask which one."""
    lines = "\n".join(_line(task) for task in matches[:10])
    example = f'"{_example(intent, matches[0]["id"])}"'
    return (
        f'I found {len(matches)} tasks matching "{intent.target}":\n{lines}\n'
        f"Which one did you mean? You can say {example}."
    )


def _example(intent: Intent, task_id: Any) -> str:
    if intent.action == "update":
        return f"change task {task_id} to '{intent.title}'"
    if intent.action == "complete":
        return f"mark task {task_id} as complete"
    return f"delete task {task_id}"


def task_list(tasks: list[dict[str, Any]], status: str, filtered: bool = False) -> str:
    """A listing, or a friendly word when it is empty."""
    if not tasks and filtered:
        return "Nothing matches: no pending task is due then."
    if not tasks:
        return {
            "pending": "Nothing pending, you're all caught up!",
            "completed": "You haven't completed any tasks yet.",
        }.get(status, 'You don\'t have any tasks yet. Try "Add a task to buy groceries".')
    noun = "task" if len(tasks) == 1 else "tasks"
    kind = {"pending": f"pending {noun}", "completed": f"completed {noun}"}.get(status, noun)
    lines = "\n".join(_line(task) for task in tasks)
    return f"You have {len(tasks)} {kind}:\n{lines}"


def _line(task: dict[str, Any]) -> str:
    mark = "✓" if task.get("completed") else "○"
    details = _details(task)
    return f"- {mark} #{task.get('id')} {task.get('title')}" + (f" ({details})" if details else "")


def _details(task: dict[str, Any]) -> str:
    """ "high priority, due Thu 03 Dec 17:00, overdue, every Monday" — what is set."""
    parts = []
    if task.get("priority") == "high":
        parts.append("high priority")
    if due := when(task.get("due_local")):
        parts.append(f"due {due}")
    if task.get("overdue") and not task.get("completed"):
        parts.append("overdue")
    if task.get("recurrence_text"):
        parts.append(str(task["recurrence_text"]))
    return ", ".join(parts)


def when(local: Any) -> str | None:
    """A local ISO 8601 date or date-time as people read it: "Thu 03 Dec" / "Thu 03 Dec 17:00"."""
    if not isinstance(local, str) or not local:
        return None
    try:
        if "T" not in local:
            return date.fromisoformat(local).strftime("%a %d %b")
        return datetime.fromisoformat(local).strftime("%a %d %b %H:%M")
    except ValueError:
        return local


def confirmation(tool: str, result: dict[str, Any], arguments: dict[str, Any]) -> str:
    """A friendly sentence confirming what a tool did."""
    task_id = result.get("task_id", arguments.get("task_id"))
    title = result.get("title") or arguments.get("title") or ""
    task = result.get("task")
    details = _details(task if isinstance(task, dict) else result)
    if tool == "add_task":
        added = f'"{title}" ({details})' if details else f'"{title}"'
        return f"Done! I added {added} to your tasks (task #{task_id})."
    if tool == "complete_task":
        return f'Nice work! Task #{task_id} "{title}" is marked as complete.' + _next(result)
    if tool == "delete_task":
        return f'Done, I deleted task #{task_id} "{title}".'
    if tool == "update_task":
        if "title" in arguments or not details:
            return f'Updated! Task #{task_id} is now "{title}".'
        return f'Updated! Task #{task_id} "{title}" is now {details}.'
    if tool == "delete_tasks":
        return f"Done, I deleted {_count(result, 'completed task')}."
    if tool == "complete_tasks":
        return f"Nice work! I marked {_count(result, 'task')} as complete." + _next(result)
    return "Done!"


def _count(result: dict[str, Any], noun: str) -> str:
    count = int(result.get("count") or len(result.get("task_ids") or []))
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _next(result: dict[str, Any]) -> str:
    """The next occurrences a completion created (recurring tasks)."""
    created = result.get("next_tasks") or ([result["next_task"]] if result.get("next_task") else [])
    lines = [
        f" The next one is task #{task.get('id')}"
        + (f", due {due}" if (due := when(task.get("due_local"))) else "")
        + "."
        for task in created
        if isinstance(task, dict)
    ]
    return "".join(lines)
