"use client";

import { useState, type FormEvent } from "react";

import { TASK_TITLE_MAX, type Task, type TaskChanges } from "@/lib/tasks/api";
import { changesFrom, draftOf, type Draft } from "@/lib/tasks/edit";
import { recurrenceOptions, type RecurrenceChoice } from "@/lib/tasks/recurrence";
import { browserTimeZone } from "@/lib/time-zone";

type Props = { task: Task; onSave: (changes: TaskChanges) => void; onCancel: () => void };

const FIELD = "rounded-md border border-slate-300 px-2 py-1 text-sm outline-none focus:border-indigo-500";

/** Edits a task in place: title, due date or date-time (in the browser's zone), priority, tags, repeat. */
export function TaskEditor({ task, onSave, onCancel }: Props) {
  const zone = browserTimeZone();
  const [draft, setDraft] = useState<Draft>(() => draftOf(task, zone));
  const set = (changes: Partial<Draft>) => setDraft((current) => ({ ...current, ...changes }));
  const options = recurrenceOptions(draft.due.value);
  if (draft.recurrence === "custom") options.push({ value: "custom", label: task.recurrence_text ?? "Custom" });

  function save(event: FormEvent) {
    event.preventDefault();
    if (!draft.title.trim()) return;
    const changes = changesFrom(task, draft, zone);
    if (Object.keys(changes).length === 0) return onCancel();
    onSave(changes);
  }

  return (
    <form
      onSubmit={save}
      onKeyDown={(event) => event.key === "Escape" && onCancel()}
      aria-label={`Edit “${task.title}”`}
      className="flex min-w-0 flex-1 flex-col gap-2"
    >
      <input
        aria-label="Task title"
        value={draft.title}
        maxLength={TASK_TITLE_MAX}
        autoFocus
        onChange={(event) => set({ title: event.target.value })}
        className={FIELD}
      />
      <div className="flex flex-wrap items-center gap-2">
        <input
          aria-label={draft.due.allDay ? "Due date" : "Due date and time"}
          type={draft.due.allDay ? "date" : "datetime-local"}
          value={draft.due.value}
          onChange={(event) => set({ due: { ...draft.due, value: event.target.value } })}
          className={FIELD}
        />
        <label className="flex items-center gap-1 text-xs text-slate-600">
          <input
            type="checkbox"
            checked={draft.due.allDay}
            onChange={(event) => set({ due: switchAllDay(draft.due.value, event.target.checked) })}
          />
          All day
        </label>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <select
          aria-label="Priority"
          value={draft.priority}
          onChange={(event) => set({ priority: event.target.value as Task["priority"] })}
          className={FIELD}
        >
          <option value="high">High priority</option>
          <option value="medium">Medium priority</option>
          <option value="low">Low priority</option>
        </select>
        <select
          aria-label="Repeat"
          value={draft.recurrence}
          disabled={!draft.due.value}
          onChange={(event) => set({ recurrence: event.target.value as RecurrenceChoice })}
          className={FIELD}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <input
        aria-label="Tags"
        placeholder="Tags, separated by commas"
        value={draft.tags}
        onChange={(event) => set({ tags: event.target.value })}
        className={FIELD}
      />
      <div className="flex gap-2">
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1 text-sm font-medium text-white">
          Save
        </button>
        <button type="button" onClick={onCancel} className="rounded-md px-3 py-1 text-sm hover:bg-slate-100">
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Keeps the date when switching between a date-time and an all-day date (9:00 when a time is added). */
function switchAllDay(value: string, allDay: boolean): Draft["due"] {
  if (!value) return { value, allDay };
  return { value: allDay ? value.slice(0, 10) : `${value.slice(0, 10)}T09:00`, allDay };
}
