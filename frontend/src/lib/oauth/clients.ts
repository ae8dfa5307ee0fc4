// What the consent and settings pages show about an OAuth client.
import "server-only";

import { getAuth } from "@/lib/auth/server";

/** The name a client registered with, or null when it gave none or is gone. */
export async function clientName(clientId: string, headers: Headers): Promise<string | null> {
  try {
    const client = await getAuth().api.getOAuthClientPublic({ query: { client_id: clientId }, headers });
    return client.client_name ?? null;
  } catch {
    return null;
  }
}
