// POST /chatkit → agent-gateway's ChatKit endpoint, with the caller's token; SSE streams through.
import { gatewayUrl } from "@/lib/server/env";
import { admit, relay } from "@/lib/server/proxy";

export async function POST(request: Request): Promise<Response> {
  const admitted = await admit(request);
  if (admitted instanceof Response) return admitted;
  return relay(request, `${gatewayUrl()}/chatkit`, admitted.caller, {
    method: "POST",
    body: admitted.body,
    serviceName: "assistant",
  });
}
