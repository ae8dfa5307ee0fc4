// What the panel's editor holds, and the PATCH body it turns into (only what changed, so a rename
// alone sends just the title, as before).
import type { Task, TaskChanges } from "./api";
import { dueInput, dueToSend, type DueInput } from "./dates";
import { choiceOf, ruleFor, type RecurrenceChoice } from "./recurrence";

export type Draft = {
  title: string;
  priority: Task["priority"];
  tags: string;
  due: DueInput;
  recurrence: RecurrenceChoice;
};

/** The editor's starting values for a task, with its due moment in `zone`. */
export function draftOf(task: Task, zone: string): Draft {
  const due = dueInput(task, zone);
  return {
    title: task.title,
    priority: task.priority,
    tags: task.tags.join(", "),
    due,
    recurrence: choiceOf(task.recurrence, due.value),
  };
}

/** "home, Errands , home" → ["home", "Errands"]. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}

/** The fields of `draft` that differ from `task`; a new due moment is sent with the browser's zone. */
export function changesFrom(task: Task, draft: Draft, zone: string): TaskChanges {
  const start = draftOf(task, zone);
  const changes: TaskChanges = {};
  const title = draft.title.trim();
  if (title && title !== task.title) changes.title = title;
  if (draft.priority !== task.priority) changes.priority = draft.priority;
  const tags = parseTags(draft.tags);
  if (tags.join("\n") !== task.tags.join("\n")) changes.tags = tags;
  const dueChanged = draft.due.value !== start.due.value || draft.due.allDay !== start.due.allDay;
  if (dueChanged) {
    changes.due_date = dueToSend(draft.due);
    changes.time_zone = zone;
  }
  const rule = draft.recurrence === "custom" ? (task.recurrence ?? null) : ruleFor(draft.recurrence, draft.due.value);
  const effective = draft.due.value ? rule : null;
  if ((effective ?? "") !== (task.recurrence ?? "")) changes.recurrence = effective ?? "";
  return changes;
}
