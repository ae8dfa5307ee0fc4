// POST /chatkit → agent-gateway's ChatKit endpoint, with the caller's token; SSE streams through.
import { authorizeCaller, bodyOf, relay } from "@/lib/server/proxy";
import { gatewayUrl } from "@/lib/server/env";

export async function POST(request: Request): Promise<Response> {
  const caller = await authorizeCaller(request);
  if (caller instanceof Response) return caller;
  return relay(request, `${gatewayUrl()}/chatkit`, caller, {
    method: "POST",
    body: await bodyOf(request),
    serviceName: "assistant",
  });
}
