"""What the offline model understands: a todo request in plain English, parsed by rules."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from agent_gateway.models.offline_dates import (
    Priority,
    day_start,
    extract_due,
    extract_fields,
    week_end,
)

Action = Literal[
    "add",
    "list",
    "complete",
    "delete",
    "update",
    "delete_completed",
    "complete_all",
    "greet",
    "thanks",
    "help",
]
ListStatus = Literal["all", "pending", "completed"]


@dataclass(frozen=True)
class Intent:
    """One parsed request: the action and what it applies to."""

    action: Action
    task_id: int | None = None
    target: str | None = None
    """Words naming an existing task when it is not given by number."""
    title: str | None = None
    """A new title (add, update)."""
    status: ListStatus = "all"
    priority: Priority | None = None
    due_date: str | None = None
    """ISO 8601 with the user's offset, or a date (all-day)."""
    recurrence: str | None = None
    """An RRULE (add)."""
    due_after: str | None = None
    due_before: str | None = None
    overdue: bool | None = None
    refers_back: bool = False
    """The task is "it" / "that": the last one the conversation mentioned."""

    @property
    def needs_tools(self) -> bool:
        """Whether answering means touching the task list."""
        return self.action not in ("greet", "thanks", "help")

    def changes(self) -> dict[str, Any]:
        """The task fields this request sets (add, update)."""
        values = {
            "title": self.title,
            "priority": self.priority,
            "due_date": self.due_date,
            "recurrence": self.recurrence,
        }
        return {name: value for name, value in values.items() if value is not None}

    def filters(self) -> dict[str, Any]:
        """The due-date filters of a listing."""
        values = {
            "due_after": self.due_after,
            "due_before": self.due_before,
            "overdue": self.overdue,
        }
        return {name: value for name, value in values.items() if value is not None}


_FLAGS = re.IGNORECASE
_POLITE = (
    r"^(?:(?:hey|hi|ok|okay|so|um|please|could you|can you|would you|kindly|actually|oh|and|"
    r"also|now|then)[,\s]+)*"
)
_REF = r"(?:task|todo|item|number|no\.?)?\s*#?\s*(?P<id>\d+)\b|(?P<target>.+?)"
_DONE_WORDS = r"(?:complete|completed|done|finished|checked off)"

_UPDATE = re.compile(
    _POLITE
    + r"(?:change|update|rename|edit|modify|set)\s+(?:the\s+)?(?:title\s+of\s+|name\s+of\s+)?"
    rf"(?:{_REF})\s+(?:to|into|as)\s*:?\s+(?P<title>.+)$",
    _FLAGS,
)
_COMPLETE = [
    re.compile(_POLITE + rf"(?:mark|set|flag)\s+(?:{_REF})\s+(?:as\s+)?{_DONE_WORDS}\W*$", _FLAGS),
    re.compile(_POLITE + rf"(?:complete|finish|check off|tick off|close)\s+(?:{_REF})\W*$", _FLAGS),
    re.compile(
        r"^(?:i\s+(?:have\s+|'ve\s+|just\s+)?(?:finished|completed|did|done)|(?:i'm\s+|i am\s+)?done\s+with)"
        rf"\s+(?:{_REF})\W*$",
        _FLAGS,
    ),
    re.compile(rf"^(?:{_REF})\s+is\s+(?:now\s+)?{_DONE_WORDS}\W*$", _FLAGS),
]
_DELETE = re.compile(
    _POLITE
    + rf"(?:delete|remove|cancel|drop|erase|trash|get rid of|forget about)\s+(?:{_REF})\W*$",
    _FLAGS,
)
_ADD = [
    re.compile(
        r"^(?:i\s+)?(?:need|have|want|got)\s+to\s+remember\s+(?:to\s+)?(?P<title>.+)$", _FLAGS
    ),
    re.compile(
        _POLITE + r"(?:remember|remind me|don't let me forget|do not let me forget|don't forget)"
        r"\s+(?:to\s+|about\s+)?(?P<title>.+)$",
        _FLAGS,
    ),
    re.compile(
        _POLITE + r"(?:add|create|make|new|put|note|jot down|write down|schedule)\s+"
        r"(?:(?:a|an|one|another)\s+)?(?:new\s+)?(?:task|todo|to-do|item|reminder|entry|note)?\s*"
        r"(?:to|called|named|titled|for|that says|saying|:)?\s*(?P<title>.+)$",
        _FLAGS,
    ),
    re.compile(r"^(?:i\s+)?(?:need|have|must|should|gotta)\s+to\s+(?P<title>.+)$", _FLAGS),
]
_EXPLICIT_ADDS, _LOOSE_ADDS = _ADD[:3], _ADD[3:]
_LIST_VERBS = re.compile(
    r"\b(?:show|list|see|view|display|what|what's|whats|which|give me|tell me|read|any|anything|"
    r"how many|is there|are there)\b",
    _FLAGS,
)
_LIST_NOUNS = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|to do|list|pending|completed|complete|done|finished|left|"
    r"remaining|outstanding|open|agenda|plate|everything|due|overdue|next)\b",
    _FLAGS,
)
_COMPLETED_WORDS = re.compile(r"\b(?:completed|complete|done|finished|accomplished)\b", _FLAGS)
_PENDING_WORDS = re.compile(
    r"\b(?:pending|outstanding|open|remaining|left|incomplete|unfinished|not done|to do|todo|"
    r"still|yet|plate)\b",
    _FLAGS,
)
_BARE_LIST = re.compile(r"(?:my\s+)?(?:tasks|todos|to-dos|todo list)\W*", _FLAGS)
_GREETING = re.compile(r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|yo)\b\W*$", _FLAGS)
_THANKS = re.compile(r"^(?:thanks|thank you|thx|ty|cheers|great|perfect|awesome)\b", _FLAGS)
_HELP = re.compile(r"\b(?:help|what can you do|how does this work|who are you)\b", _FLAGS)
_QUOTES = "\"'`\u201c\u201d\u2018\u2019"
_TRAILING_NOISE = re.compile(
    r"\s+(?:to|on|in|onto)\s+(?:my|the)\s+(?:todo\s+|to-do\s+|task\s+)?(?:list|tasks?|todos?)\W*$"
    r"|\s+please\W*$|[.!?]+$",
    _FLAGS,
)
_TARGET_NOISE = re.compile(
    r"^(?:the|my|a|an|that|this)\s+|\s+(?:task|todo|to-do|item|one)$", _FLAGS
)

_PRONOUNS = {"it", "that", "this", "last one", "the last one", "that one", "this one"}
_RESCHEDULE = re.compile(
    _POLITE + r"(?:move|push|reschedule|postpone|shift|bump|change|set|delay|make)\s+"
    rf"(?:the\s+due\s+date\s+of\s+)?(?:{_REF})\s+(?:back\s+)?(?:to|until|till|for|due)\s+"
    r"(?P<when>.+?)\W*$",
    _FLAGS,
)
_SET_PRIORITY = re.compile(
    _POLITE + r"(?:make|set|mark|change|flag|bump)\s+(?:the\s+priority\s+of\s+)?"
    rf"(?:{_REF})\s+(?:to\s+|as\s+|a\s+)?(?P<level>high|low|medium|normal|top|urgent|important)"
    r"(?:\s+priority)?\W*$",
    _FLAGS,
)
_LEVEL: dict[str, Priority] = {
    "high": "high",
    "top": "high",
    "urgent": "high",
    "important": "high",
    "low": "low",
    "medium": "medium",
    "normal": "medium",
}
_DELETE_COMPLETED = re.compile(
    _POLITE + r"(?:delete|remove|clear(?:\s+out)?|get rid of|clean up|purge|erase|trash)\s+"
    r"(?:all\s+)?(?:of\s+)?(?:the\s+|my\s+)?(?:completed|finished|done)"
    r"(?:\s+(?:tasks?|ones|items|todos?))?(?:\s+tasks)?\W*$"
    r"|" + _POLITE + r"(?:delete|remove|clear|get rid of)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|my\s+)?"
    r"(?:tasks|ones|items|todos)\s+(?:that\s+are\s+|i(?:'ve|\s+have)\s+)?"
    r"(?:completed|finished|done)\W*$",
    _FLAGS,
)
_COMPLETE_ALL = re.compile(
    _POLITE + r"(?:complete|finish|check off|tick off|close)\s+(?:them\s+all|all\s+of\s+them|"
    r"(?:all|every(?:thing)?)(?:\s+(?:of\s+)?(?:my|the)?\s*(?:pending\s+)?(?:tasks|ones|todos))?)\W*$"
    r"|" + _POLITE + r"mark\s+(?:them\s+all|all\s+of\s+them|them|everything|"
    r"all(?:\s+(?:of\s+)?(?:my|the)?\s*(?:pending\s+)?(?:tasks|ones|todos))?)\s+"
    rf"(?:as\s+)?{_DONE_WORDS}\W*$",
    _FLAGS,
)
_DUE_QUERY = re.compile(
    r"\b(?:due|overdue|late|past due|deadlines?)\b|\b(?:for|on)\s+(?:today|tomorrow)\W*$"
    r"|\b(?:this|next)\s+week\W*$",
    _FLAGS,
)
_DUE_WINDOW = re.compile(
    r"\b(?P<when>today|tonight|tomorrow|this\s+week|next\s+week|the\s+week)\b",
    _FLAGS,
)
_OVERDUE = re.compile(r"\b(?:overdue|late|past due|missed)\b", _FLAGS)
_SPLIT = re.compile(
    r"\s*(?:,\s*)?\band\s+(?:then\s+|also\s+)?(?=(?:please\s+)?(?:add|create|remind|delete|"
    r"remove|complete|mark|finish|show|list|move|push|rename|change|put|make)\b)|\s*;\s*",
    _FLAGS,
)
_LEADING_TASK_WORDS = re.compile(
    r"^(?:(?:a|an|one|another)\s+)?(?:new\s+)?(?:task|todo|to-do|item|reminder)\s+"
    r"(?:to|called|named|titled|for|that says|saying|:)?\s*",
    _FLAGS,
)


def parse_all(text: str, now: datetime | None = None) -> list[Intent]:
    """Every request in one message: "add eggs and add bread" is two, "buy salt and pepper" one."""
    message = " ".join(text.strip().split())
    parts = [part for part in _SPLIT.split(message) if part.strip()]
    if len(parts) > 1:
        intents = [parse(part, now) for part in parts]
        if all(intent.needs_tools for intent in intents):
            return intents
    return [parse(message, now)]


def parse(text: str, now: datetime | None = None) -> Intent:
    """The intent behind one request, its dates read relative to the aware local `now`."""
    message = " ".join(text.strip().split())
    local_now = now or datetime.now(UTC)
    if intent := _parse_reschedule(message, local_now):
        return intent
    parsers = (
        _parse_delete_completed,
        _parse_complete_all,
        _parse_set_priority,
        _parse_update,
        _parse_complete,
        _parse_delete,
    )
    for parser in parsers:
        if intent := parser(message):
            return intent
    if intent := _parse_add_with_fields(message, local_now) or _parse_due_query(message, local_now):
        return intent
    if intent := _parse_list(message):
        return intent
    if intent := _parse_loose_add(message, local_now):
        return intent
    if _GREETING.match(message):
        return Intent("greet")
    if _THANKS.match(message):
        return Intent("thanks")
    return Intent("help")


def _parse_update(message: str) -> Intent | None:
    if not (match := _UPDATE.match(message)):
        return None
    title = clean_title(match["title"])
    return _with_reference(Intent("update", title=title), match) if title else None


def _parse_complete(message: str) -> Intent | None:
    for pattern in _COMPLETE:
        if match := pattern.match(message):
            return _with_reference(Intent("complete"), match)
    return None


def _parse_delete(message: str) -> Intent | None:
    if match := _DELETE.match(message):
        return _with_reference(Intent("delete"), match)
    return None


def _parse_list(message: str) -> Intent | None:
    asks = _LIST_VERBS.search(message) and _LIST_NOUNS.search(message)
    if not asks and not _BARE_LIST.fullmatch(message):
        return None
    if re.search(r"\b(?:not|un|in)(?:\s+yet)?\s*(?:done|finished|completed?)\b", message, _FLAGS):
        return Intent("list", status="pending")
    if _COMPLETED_WORDS.search(message) and not re.search(r"\bto do\b", message, _FLAGS):
        return Intent("list", status="completed")
    if _PENDING_WORDS.search(message) and not re.search(r"\ball\b", message, _FLAGS):
        return Intent("list", status="pending")
    return Intent("list", status="all")


def _parse_add_with_fields(message: str, now: datetime) -> Intent | None:
    return _parse_add(message, _EXPLICIT_ADDS, now)


def _parse_loose_add(message: str, now: datetime) -> Intent | None:
    return _parse_add(message, _LOOSE_ADDS, now)


def _parse_add(message: str, patterns: list[re.Pattern[str]], now: datetime) -> Intent | None:
    for pattern in patterns:
        if not (match := pattern.match(message)):
            continue
        fields = extract_fields(match["title"], now)
        if title := clean_title(_LEADING_TASK_WORDS.sub("", fields.rest)):
            return Intent(
                "add",
                title=title,
                priority=fields.priority,
                due_date=fields.due_date,
                recurrence=fields.recurrence,
            )
    return None


def _parse_due_query(message: str, now: datetime) -> Intent | None:
    if not (_DUE_QUERY.search(message) and _LIST_VERBS.search(message)):
        return None
    if _OVERDUE.search(message):
        return Intent("list", status="pending", overdue=True)
    window = _DUE_WINDOW.search(message)
    when = " ".join(window["when"].lower().split()) if window else "this week"
    today = day_start(now.date(), now)
    start, end = {
        "today": (today, today + relativedelta(days=1)),
        "tonight": (today, today + relativedelta(days=1)),
        "tomorrow": (today + relativedelta(days=1), today + relativedelta(days=2)),
        "this week": (today, week_end(now)),
        "the week": (today, week_end(now)),
        "next week": (week_end(now), week_end(now) + relativedelta(weeks=1)),
    }[when]
    return Intent("list", status="pending", due_after=start.isoformat(), due_before=end.isoformat())


def _parse_reschedule(message: str, now: datetime) -> Intent | None:
    if not (match := _RESCHEDULE.match(message)):
        return None
    due = extract_due(match["when"], now)
    return _with_reference(Intent("update", due_date=due), match) if due else None


def _parse_set_priority(message: str) -> Intent | None:
    if not (match := _SET_PRIORITY.match(message)):
        return None
    return _with_reference(Intent("update", priority=_LEVEL[match["level"].lower()]), match)


def _parse_delete_completed(message: str) -> Intent | None:
    return Intent("delete_completed") if _DELETE_COMPLETED.match(message) else None


def _parse_complete_all(message: str) -> Intent | None:
    return Intent("complete_all") if _COMPLETE_ALL.match(message) else None


def _with_reference(intent: Intent, match: re.Match[str]) -> Intent | None:
    if match["id"]:
        return replace(intent, task_id=int(match["id"]))
    target = clean_target(match["target"] or "")
    if target.lower() in _PRONOUNS or (match["target"] or "").strip(" .!?").lower() in _PRONOUNS:
        return replace(intent, refers_back=True)
    return replace(intent, target=target) if target else None


def clean_title(raw: str) -> str:
    """A task title from free text: no quotes, no 'to my list', first letter capitalised."""
    title = raw.strip().strip(_QUOTES).strip()
    previous = None
    while previous != title:
        previous = title
        title = _TRAILING_NOISE.sub("", title).strip().strip(_QUOTES).strip()
    title = title[:200]
    return title[:1].upper() + title[1:]


def clean_target(raw: str) -> str:
    """The words that name an existing task: 'the meeting task' → 'meeting'."""
    target = raw.strip().strip(_QUOTES).strip().rstrip(".!?")
    previous = None
    while previous != target:
        previous = target
        target = _TARGET_NOISE.sub("", target).strip().strip(_QUOTES).strip()
    return target
