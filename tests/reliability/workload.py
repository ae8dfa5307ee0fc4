"""Conversations of seeded random turns (add, list, complete and delete by number), each turn
sent until acknowledged, with the task list every acknowledged turn implies."""

import asyncio
import random
from dataclasses import dataclass, field

from tests.reliability.client import ChatClient, Turn, TurnLost, add_turn

THINGS = ["apples", "stamps", "paint", "rope", "candles", "tea", "socks", "glue", "seeds", "ink"]
LIST_MESSAGE = "Show me all my tasks"


@dataclass
class KnownTask:
    """A task an acknowledged turn added, as the user now expects it."""

    title: str
    task_id: int | None
    completed: bool = False


class Progress:
    """How many turns were acknowledged so far, for faults timed on the workload's progress."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0
        self.finished = False
        self._changed = asyncio.Condition()

    async def tick(self) -> None:
        """One more turn acknowledged."""
        async with self._changed:
            self.count += 1
            self._changed.notify_all()

    async def finish(self) -> None:
        """The workload is over (whatever `count` reached)."""
        async with self._changed:
            self.finished = True
            self._changed.notify_all()

    async def reached(self, count: int) -> bool:
        """Wait until `count` turns are acknowledged; False if the workload ended first."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.count >= count or self.finished)
            return self.count >= count


@dataclass
class Conversation:
    """One user's one conversation, turn after turn."""

    client: ChatClient
    label: str
    rng: random.Random
    conversation_id: str | None = None
    turns: list[Turn] = field(default_factory=list)
    tasks: dict[str, KnownTask] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    lost: str | None = None

    def next_turn(self, index: int) -> Turn:
        """The index-th turn: an add first, then a seeded mix that only names live tasks."""
        message_id = f"{self.label}-t{index:02d}"
        numbered = [task for task in self.tasks.values() if task.task_id is not None]
        pending = [task for task in numbered if not task.completed]
        choices = ["add"] * 4 + ["list"] * 2
        choices += ["complete"] * 2 if pending else []
        choices += ["delete"] * 2 if numbered else []
        action = "add" if index == 0 else self.rng.choice(choices)
        if action == "add":
            thing = self.rng.choice(THINGS)
            return add_turn(message_id, f"{thing} {self.label}t{index:02d}")
        if action == "list":
            return Turn(
                message_id,
                LIST_MESSAGE,
                "list",
                expect_listed=sorted(self.tasks),
                expect_absent=list(self.deleted),
            )
        if action == "complete":
            task = self.rng.choice(pending)
            text = f"Mark task {task.task_id} as complete"
            return Turn(message_id, text, "complete", title=task.title, task_id=task.task_id)
        task = self.rng.choice(numbered)
        text = f"Delete task {task.task_id}"
        return Turn(message_id, text, "delete", title=task.title, task_id=task.task_id)

    def record(self, turn: Turn) -> None:
        """What the user now expects, given that `turn` did what it asked."""
        if turn.action == "add" and turn.title:
            self.tasks[turn.title] = KnownTask(turn.title, added_task_id(turn))
        elif turn.title not in self.tasks:
            return
        elif turn.action == "complete":
            self.tasks[turn.title].completed = True
        elif turn.action == "delete":
            del self.tasks[turn.title]
            self.deleted.append(turn.title)

    async def run(self, count: int, progress: Progress | None = None) -> None:
        """Send `count` turns one after another; stop at the first turn that is lost."""
        for index in range(count):
            turn = self.next_turn(index)
            self.turns.append(turn)
            try:
                ack = await self.client.send(turn, self.conversation_id)
            except TurnLost as exc:
                self.lost = str(exc)
                return
            self.conversation_id = self.conversation_id or ack["conversation_id"]
            self.record(turn)
            if progress is not None:
                await progress.tick()


def added_task_id(turn: Turn) -> int | None:
    """The task id an acknowledged add reports (None when it reports no successful add_task)."""
    for call in (turn.ack or {}).get("tool_calls", []):
        result = call.get("result")
        if call["name"] == "add_task" and call["status"] == "ok" and isinstance(result, dict):
            task_id = result.get("task_id")
            return task_id if isinstance(task_id, int) else None
    return None


async def run_all(conversations: list[Conversation], turns: int, progress: Progress) -> None:
    """Run every conversation concurrently; `progress` is finished whatever happens."""
    try:
        await asyncio.gather(*(c.run(turns, progress) for c in conversations))
    finally:
        await progress.finish()
