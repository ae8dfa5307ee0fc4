// GET /api/conversations?q=&cursor=&limit= → history-service's list for the signed-in user. The
// sidebar needs what ChatKit's threads.list lacks: search by title, last activity and a preview.
import { historyServiceUrl } from "@/lib/server/env";
import { admit, relay } from "@/lib/server/proxy";

const PASSED_PARAMS = ["q", "cursor", "limit"];

export async function GET(request: Request): Promise<Response> {
  const admitted = await admit(request);
  if (admitted instanceof Response) return admitted;
  const { caller } = admitted;
  const incoming = new URL(request.url).searchParams;
  const query = new URLSearchParams();
  for (const name of PASSED_PARAMS) {
    const value = incoming.get(name);
    if (value) query.set(name, value);
  }
  const url = `${historyServiceUrl()}/api/${encodeURIComponent(caller.userId)}/conversations?${query}`;
  return relay(request, url, caller, { method: "GET", serviceName: "conversation history" });
}
