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
});

const taskPageSchema = z.looseObject({ tasks: z.array(taskSchema) });

export type Task = z.infer<typeof taskSchema>;

export const TASK_TITLE_MAX = 200;

/** The task list the panel shows; also its SWR key. */
export const TASKS_URL = "/api/tasks?limit=100&sort=created";

export const tasksApi = {
  list: () => getJson(TASKS_URL, taskPageSchema),
  create: (title: string) => send("/api/tasks", { method: "POST", body: JSON.stringify({ title }) }),
  rename: (id: number, title: string) => send(`/api/tasks/${id}`, { method: "PATCH", body: JSON.stringify({ title }) }),
  toggle: (id: number) => send(`/api/tasks/${id}/complete`, { method: "PATCH" }),
  remove: (id: number) => send(`/api/tasks/${id}`, { method: "DELETE" }),
};
