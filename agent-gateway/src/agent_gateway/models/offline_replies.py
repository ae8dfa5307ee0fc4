"""What the offline model says: short, friendly sentences for each outcome."""

from typing import Any

from agent_gateway.models.offline_intents import Intent

CAPABILITIES = (
    "Here is what I can do:\n"
    '- add a task: "Add a task to buy groceries"\n'
    '- show your tasks: "Show me all my tasks", "What\'s pending?", "What have I completed?"\n'
    '- complete a task: "Mark task 3 as complete"\n'
    '- delete a task: "Delete the meeting task"\n'
    "- rename a task: \"Change task 1 to 'Call mom tonight'\""
)
_VERB = {
    "add": "add that task",
    "list": "look up your tasks",
    "complete": "mark that task as complete",
    "delete": "delete that task",
    "update": "update that task",
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


def task_list(tasks: list[dict[str, Any]], status: str) -> str:
    """A listing, or a friendly word when it is empty."""
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
    return f"- {mark} #{task.get('id')} {task.get('title')}"


def confirmation(tool: str, result: dict[str, Any], arguments: dict[str, Any]) -> str:
    """A friendly sentence confirming what a tool did."""
    task_id = result.get("task_id", arguments.get("task_id"))
    title = result.get("title") or arguments.get("title") or ""
    if tool == "add_task":
        return f'Done! I added "{title}" to your tasks (task #{task_id}).'
    if tool == "complete_task":
        return f'Nice work! Task #{task_id} "{title}" is marked as complete.'
    if tool == "delete_task":
        return f'Done, I deleted task #{task_id} "{title}".'
    if tool == "update_task":
        return f'Updated! Task #{task_id} is now "{title}".'
    return "Done!"
