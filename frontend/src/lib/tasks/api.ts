import { requestJson } from "@/lib/http";

export type Priority = "low" | "medium" | "high";

/** A task as mcp-server's REST API returns it. */
export type Task = {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  priority: Priority;
  due_date: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
};

export type TaskPage = { tasks: Task[]; count: number; next_cursor: string | null };

export type TaskChanges = Partial<Pick<Task, "title" | "description" | "priority" | "due_date" | "completed">>;

export const TASK_TITLE_MAX = 200;

export const tasksApi = {
  list: () => requestJson<TaskPage>("/api/tasks?limit=100&sort=created"),
  create: (title: string) => requestJson<Task>("/api/tasks", { method: "POST", body: JSON.stringify({ title }) }),
  update: (id: number, changes: TaskChanges) =>
    requestJson<Task>(`/api/tasks/${id}`, { method: "PATCH", body: JSON.stringify(changes) }),
  toggle: (id: number) => requestJson<Task>(`/api/tasks/${id}/complete`, { method: "PATCH" }),
  remove: (id: number) => requestJson<void>(`/api/tasks/${id}`, { method: "DELETE" }),
};
