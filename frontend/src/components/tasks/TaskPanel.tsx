"use client";

import { useState, type FormEvent } from "react";

import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import type { TaskList } from "@/hooks/useTasks";
import { TASK_TITLE_MAX, type Task } from "@/lib/tasks/api";

import { TaskRow } from "./TaskRow";

/** The user's task list, beside the chat; editable by hand through mcp-server's REST API. */
export function TaskPanel({ list }: { list: TaskList }) {
  const [pendingDelete, setPendingDelete] = useState<Task | null>(null);
  const pending = list.tasks.filter((task) => !task.completed);
  const done = list.tasks.filter((task) => task.completed);

  return (
    <section aria-label="Tasks" data-testid="task-panel" className="flex h-full min-h-0 flex-col">
      <header className="flex items-baseline justify-between px-4 pb-2 pt-4">
        <h2 className="text-base font-semibold">Tasks</h2>
        <span className="text-xs text-slate-500">
          {pending.length} open · {done.length} done
        </span>
      </header>
      <NewTaskForm onAdd={list.add} />
      {list.error && (
        <p role="alert" className="mx-4 mb-2 rounded-lg bg-red-50 px-3 py-2 text-xs text-red-700">
          {list.error}
        </p>
      )}
      <ul data-testid="task-list" className="min-h-0 flex-1 overflow-y-auto px-2 pb-4">
        {[...pending, ...done].map((task) => (
          <TaskRow
            key={task.id}
            task={task}
            onToggle={() => list.toggle(task)}
            onEdit={(changes) => list.edit(task, changes)}
            onDelete={() => setPendingDelete(task)}
          />
        ))}
        {!list.loading && list.tasks.length === 0 && (
          <li className="px-3 py-6 text-center text-sm text-slate-500">No tasks yet. Ask the assistant to add one.</li>
        )}
      </ul>
      {pendingDelete && (
        <ConfirmDialog
          title="Delete task?"
          message={`“${pendingDelete.title}” will be deleted.`}
          confirmLabel="Delete"
          onCancel={() => setPendingDelete(null)}
          onConfirm={() => {
            const task = pendingDelete;
            setPendingDelete(null);
            void list.remove(task);
          }}
        />
      )}
    </section>
  );
}

function NewTaskForm({ onAdd }: { onAdd: (title: string) => Promise<void> }) {
  const [title, setTitle] = useState("");

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) return;
    setTitle("");
    await onAdd(trimmed);
  }

  return (
    <form onSubmit={submit} className="flex gap-2 px-4 pb-2">
      <input
        aria-label="New task"
        placeholder="Add a task by hand…"
        value={title}
        maxLength={TASK_TITLE_MAX}
        onChange={(event) => setTitle(event.target.value)}
        className="min-w-0 flex-1 rounded-lg border border-slate-300 px-3 py-1.5 text-sm outline-none focus:border-indigo-500"
      />
      <button
        type="submit"
        className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
      >
        Add
      </button>
    </form>
  );
}
