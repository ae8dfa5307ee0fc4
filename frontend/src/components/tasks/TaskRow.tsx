"use client";

import { useState } from "react";

import { PencilIcon, TrashIcon } from "@/components/ui/icons";
import type { Task, TaskChanges } from "@/lib/tasks/api";
import { formatDue, isOverdue } from "@/lib/tasks/dates";
import { browserTimeZone } from "@/lib/time-zone";

import { TaskEditor } from "./TaskEditor";

const PRIORITY_STYLE: Record<Task["priority"], string> = {
  high: "bg-red-100 text-red-700",
  medium: "bg-amber-100 text-amber-700",
  low: "bg-slate-100 text-slate-600",
};

type Props = { task: Task; onToggle: () => void; onEdit: (changes: TaskChanges) => void; onDelete: () => void };

export function TaskRow({ task, onToggle, onEdit, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const zone = browserTimeZone();
  const overdue = isOverdue(task, zone);

  return (
    <li
      data-testid="task"
      data-task-id={task.id}
      data-completed={task.completed}
      data-overdue={overdue}
      className="group flex items-start gap-2 rounded-lg px-2 py-2 hover:bg-slate-50"
    >
      <input
        type="checkbox"
        checked={task.completed}
        onChange={onToggle}
        aria-label={`Mark “${task.title}” as ${task.completed ? "not done" : "done"}`}
        className="mt-1 h-4 w-4 shrink-0 accent-indigo-600"
      />
      {editing ? (
        <TaskEditor
          task={task}
          onCancel={() => setEditing(false)}
          onSave={(changes) => {
            setEditing(false);
            onEdit(changes);
          }}
        />
      ) : (
        <div className="min-w-0 flex-1">
          <p
            data-testid="task-title"
            className={`break-words text-sm ${task.completed ? "text-slate-400 line-through" : ""}`}
          >
            {task.title}
          </p>
          <p className="mt-0.5 flex flex-wrap items-center gap-1 text-xs text-slate-500">
            <span className="text-slate-400">#{task.id}</span>
            <span className={`rounded px-1.5 ${PRIORITY_STYLE[task.priority]}`}>{task.priority}</span>
            <DueDate task={task} zone={zone} overdue={overdue} />
            {task.recurrence_text && (
              <span data-testid="task-recurrence" className="text-slate-600">
                ↻ {task.recurrence_text}
              </span>
            )}
            {task.tags.map((tag) => (
              <span key={tag} className="rounded bg-indigo-50 px-1.5 text-indigo-700">
                {tag}
              </span>
            ))}
          </p>
        </div>
      )}
      {!editing && (
        <div className="flex shrink-0 gap-0.5 sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
          <button
            type="button"
            aria-label={`Edit “${task.title}”`}
            title="Edit"
            onClick={() => setEditing(true)}
            className="rounded-md p-1.5 text-xs text-slate-500 hover:bg-white hover:text-slate-900"
          >
            <PencilIcon />
          </button>
          <button
            type="button"
            aria-label={`Delete “${task.title}”`}
            title="Delete"
            onClick={onDelete}
            className="rounded-md p-1.5 text-xs text-slate-500 hover:bg-white hover:text-red-700"
          >
            <TrashIcon />
          </button>
        </div>
      )}
    </li>
  );
}

function DueDate({ task, zone, overdue }: { task: Task; zone: string; overdue: boolean }) {
  const label = formatDue(task, zone);
  if (!label || !task.due_date) return null;
  return (
    <span data-testid="task-due" className={overdue ? "font-semibold text-red-700" : ""}>
      {overdue && <span className="mr-1 rounded bg-red-100 px-1.5 text-red-800">Overdue</span>}
      due <time dateTime={task.due_local ?? task.due_date}>{label}</time>
    </span>
  );
}
