"""What the offline model understands: a todo request in plain English, parsed by rules."""

import re
from dataclasses import dataclass
from typing import Literal

Action = Literal["add", "list", "complete", "delete", "update", "greet", "thanks", "help"]
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

    @property
    def needs_tools(self) -> bool:
        """Whether answering means touching the task list."""
        return self.action in ("add", "list", "complete", "delete", "update")


_FLAGS = re.IGNORECASE
_POLITE = r"^(?:(?:hey|hi|ok|okay|so|um|please|could you|can you|would you|kindly)[,\s]+)*"
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
    r"\b(?:show|list|see|view|display|what|what's|whats|which|give me|tell me|read|any|how many)\b",
    _FLAGS,
)
_LIST_NOUNS = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|to do|list|pending|completed|complete|done|finished|left|"
    r"remaining|outstanding|open|agenda)\b",
    _FLAGS,
)
_COMPLETED_WORDS = re.compile(r"\b(?:completed|complete|done|finished|accomplished)\b", _FLAGS)
_PENDING_WORDS = re.compile(
    r"\b(?:pending|outstanding|open|remaining|left|incomplete|unfinished|not done|to do|todo|"
    r"still|yet)\b",
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


def parse(text: str) -> Intent:
    """The intent behind one user message."""
    message = " ".join(text.strip().split())
    parsers = (_parse_update, _parse_complete, _parse_delete, _parse_explicit_add, _parse_list)
    for parser in (*parsers, _parse_loose_add):
        if intent := parser(message):
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


def _parse_explicit_add(message: str) -> Intent | None:
    return _parse_add(message, _EXPLICIT_ADDS)


def _parse_loose_add(message: str) -> Intent | None:
    return _parse_add(message, _LOOSE_ADDS)


def _parse_add(message: str, patterns: list[re.Pattern[str]]) -> Intent | None:
    for pattern in patterns:
        if (match := pattern.match(message)) and (title := clean_title(match["title"])):
            return Intent("add", title=title)
    return None


def _with_reference(intent: Intent, match: re.Match[str]) -> Intent | None:
    if match["id"]:
        return Intent(intent.action, task_id=int(match["id"]), title=intent.title)
    target = clean_target(match["target"] or "")
    return Intent(intent.action, target=target, title=intent.title) if target else None


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
