"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import { tasksApi, type Task, type TaskChanges } from "@/lib/tasks/api";

export type TaskList = {
  tasks: Task[];
  loading: boolean;
  error: string | null;
  add: (title: string) => Promise<void>;
  toggle: (task: Task) => Promise<void>;
  update: (task: Task, changes: TaskChanges) => Promise<void>;
  remove: (task: Task) => Promise<void>;
};

/** The user's tasks; reloads whenever `version` changes (e.g. after the assistant used a tool). */
export function useTasks(version: number): TaskList {
  const [tasks, setTasks] = useState<Task[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const current = ++generation.current;
    try {
      const page = await tasksApi.list();
      if (current !== generation.current) return;
      setTasks(page.tasks);
      setError(null);
    } catch (failure) {
      if (current === generation.current) setError(messageOf(failure));
    } finally {
      if (current === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload, version]);

  /** Applies the change on screen at once, then reloads the truth (reverting on failure). */
  const mutate = useCallback(
    async (optimistic: (tasks: Task[]) => Task[], request: () => Promise<unknown>) => {
      generation.current++; // a list fetched before this change must not overwrite it
      setTasks(optimistic);
      try {
        await request();
        setError(null);
      } catch (failure) {
        setError(messageOf(failure));
      }
      await reload();
    },
    [reload],
  );

  return {
    tasks,
    loading,
    error,
    add: (title) => mutate((list) => list, () => tasksApi.create(title)),
    toggle: (task) =>
      mutate((list) => replace(list, { ...task, completed: !task.completed }), () => tasksApi.toggle(task.id)),
    update: (task, changes) => mutate((list) => replace(list, { ...task, ...changes }), () => tasksApi.update(task.id, changes)),
    remove: (task) => mutate((list) => list.filter((t) => t.id !== task.id), () => tasksApi.remove(task.id)),
  };
}

function replace(list: Task[], task: Task): Task[] {
  return list.map((existing) => (existing.id === task.id ? task : existing));
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : "Something went wrong.";
}
