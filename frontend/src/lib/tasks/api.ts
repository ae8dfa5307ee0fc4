import { z } from "zod";

import { getJson, send } from "@/lib/http";

/** A task as mcp-server's REST API returns it (the fields the task panel reads). */
const taskSchema = z.looseObject({
  id: z.number().int(),
  title: z.string(),
  completed: z.boolean(),
  priority: z.enum(["low", "medium", "high"]),
  due_date: z.string().nullish(),
  tags: z.array(z.string()),
  // Optional, so the panel also works with a server that predates due times and recurrence.
  due_has_time: z.boolean().nullish(),
  due_local: z.string().nullish(),
  time_zone: z.string().nullish(),
  overdue: z.boolean().nullish(),
  recurrence: z.string().nullish(),
  recurrence_text: z.string().nullish(),
  next_task_id: z.number().int().nullish(),
});

const taskPageSchema = z.looseObject({ tasks: z.array(taskSchema) });

export type Task = z.infer<typeof taskSchema>;

/** A PATCH body: only the fields the user changed. `due_date` is read in `time_zone`. */
export type TaskChanges = Partial<{
  title: string;
  priority: Task["priority"];
  tags: string[];
  due_date: string | null;
  time_zone: string;
  recurrence: string;
}>;

export const TASK_TITLE_MAX = 200;

/** The task list the panel shows; also its SWR key. */
export const TASKS_URL = "/api/tasks?limit=100&sort=created";

export const tasksApi = {
  list: () => getJson(TASKS_URL, taskPageSchema),
  create: (title: string) => send("/api/tasks", { method: "POST", body: JSON.stringify({ title }) }),
  update: (id: number, changes: TaskChanges) =>
    send(`/api/tasks/${id}`, { method: "PATCH", body: JSON.stringify(changes) }),
  toggle: (id: number) => send(`/api/tasks/${id}/complete`, { method: "PATCH" }),
  remove: (id: number) => send(`/api/tasks/${id}`, { method: "DELETE" }),
};
