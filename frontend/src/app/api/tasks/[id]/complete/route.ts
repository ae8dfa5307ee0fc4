import type { NextRequest } from "next/server";

import { proxyTask } from "@/lib/server/tasks-proxy";

export async function PATCH(request: NextRequest, context: RouteContext<"/api/tasks/[id]/complete">) {
  return proxyTask(request, (await context.params).id, "/complete");
}
