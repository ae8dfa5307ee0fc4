import { proxyTasks } from "@/lib/server/tasks-proxy";

export const GET = (request: Request) => proxyTasks(request);
export const POST = (request: Request) => proxyTasks(request);
