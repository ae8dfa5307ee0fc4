"use client";

import { useCallback, useState } from "react";
import useSWR from "swr";

import { tasksApi, TASKS_URL, type Task, type TaskChanges } from "@/lib/tasks/api";

export type TaskList = {
  tasks: Task[];
  loading: boolean;
  error: string | null;
  /** Fetches the list again (e.g. after the assistant used a tool). */
  revalidate: () => void;
  add: (title: string) => Promise<void>;
  toggle: (task: Task) => Promise<void>;
  /** Sends only what changed; title, priority and tags show at once, dates once the server answers. */
  edit: (task: Task, changes: TaskChanges) => Promise<void>;
  remove: (task: Task) => Promise<void>;
};

/** The user's tasks. A change shows at once, then the list is fetched again (reverted if it failed). */
export function useTasks(): TaskList {
  const { data, error, isLoading, mutate } = useSWR(TASKS_URL, tasksApi.list);
  const [changeError, setChangeError] = useState<string | null>(null);
  const revalidate = useCallback(() => void mutate(), [mutate]);

  async function change(request: () => Promise<unknown>, optimistic?: (tasks: Task[]) => Task[]) {
    setChangeError(null);
    try {
      await mutate(
        async () => {
          await request();
          return undefined;
        },
        {
          optimisticData: optimistic && ((page) => ({ ...page, tasks: optimistic(page?.tasks ?? []) })),
          populateCache: false,
          revalidate: true,
        },
      );
    } catch (failure) {
      setChangeError(messageOf(failure));
    }
  }

  return {
    tasks: data?.tasks ?? [],
    loading: isLoading,
    error: changeError ?? (error ? messageOf(error) : null),
    revalidate,
    add: (title) => change(() => tasksApi.create(title)),
    toggle: (task) =>
      change(
        () => tasksApi.toggle(task.id),
        (tasks) => replace(tasks, { ...task, completed: !task.completed }),
      ),
    edit: (task, changes) =>
      change(
        () => tasksApi.update(task.id, changes),
        (tasks) => replace(tasks, { ...task, ...pick(changes, task) }),
      ),
    remove: (task) =>
      change(
        () => tasksApi.remove(task.id),
        (tasks) => tasks.filter((t) => t.id !== task.id),
      ),
  };
}

function pick(changes: TaskChanges, task: Task): Pick<Task, "title" | "priority" | "tags"> {
  return {
    title: changes.title ?? task.title,
    priority: changes.priority ?? task.priority,
    tags: changes.tags ?? task.tags,
  };
}

function replace(tasks: Task[], task: Task): Task[] {
  return tasks.map((existing) => (existing.id === task.id ? task : existing));
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : "Something went wrong.";
}
