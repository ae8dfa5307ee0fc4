// /api/tasks… → mcp-server's REST `/api/{user_id}/tasks…` for the signed-in user.
import "server-only";

import { tasksApiUrl } from "./env";
import { problem } from "./problem";
import { admit, relay } from "./proxy";

const TASK_ID = /^\d{1,18}$/;

/** `suffix` is the part after `/tasks` (e.g. `/42/complete`); the browser's query string is kept. */
export async function proxyTasks(request: Request, suffix = ""): Promise<Response> {
  const admitted = await admit(request);
  if (admitted instanceof Response) return admitted;
  const { caller, body } = admitted;
  const search = new URL(request.url).search;
  const url = `${tasksApiUrl()}/api/${encodeURIComponent(caller.userId)}/tasks${suffix}${search}`;
  return relay(request, url, caller, { body, serviceName: "task service" });
}

export async function proxyTask(request: Request, id: string, action = ""): Promise<Response> {
  if (!TASK_ID.test(id)) return problem(404, "Not Found", `Task ${id} not found.`);
  return proxyTasks(request, `/${id}${action}`);
}
