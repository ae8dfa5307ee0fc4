import type { NextRequest } from "next/server";

import { proxyTask } from "@/lib/server/tasks-proxy";

type Context = RouteContext<"/api/tasks/[id]">;

const forward = async (request: NextRequest, context: Context) => proxyTask(request, (await context.params).id);

export const GET = forward;
export const PUT = forward;
export const PATCH = forward;
export const DELETE = forward;
