import { headers } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";

import { RevokeButton } from "@/components/oauth/RevokeButton";
import { getAuth } from "@/lib/auth/server";
import { currentUser } from "@/lib/auth/session";
import { clientName } from "@/lib/oauth/clients";
import { describeScope } from "@/lib/oauth/scopes";

export const metadata = { title: "Connected apps · Todo Assistant" };

type Connection = { id: string; name: string; scopes: string[]; since: Date };

/** The signed-in user's consents (the plugin lists only theirs), each with its client's name. */
async function connections(requestHeaders: Headers): Promise<Connection[]> {
  const consents = await getAuth().api.getOAuthConsents({ headers: requestHeaders });
  return Promise.all(
    consents.map(async (consent) => ({
      id: consent.id,
      name: (await clientName(consent.clientId, requestHeaders)) ?? "An unnamed application",
      scopes: consent.scopes,
      since: new Date(consent.createdAt),
    })),
  );
}

export default async function ConnectionsPage() {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  const list = await connections(await headers());

  return (
    <main className="mx-auto w-full max-w-2xl px-4 py-10">
      <Link href="/" className="text-sm font-medium text-indigo-600 hover:underline">
        ← Back to your tasks
      </Link>
      <h1 className="mt-3 text-2xl font-semibold">Connected apps</h1>
      <p className="mt-1 text-sm text-slate-600">
        Applications you allowed to use your tasks (MCP clients). Revoking one signs it out: it must ask you again.
      </p>
      {list.length === 0 ? (
        <p className="mt-6 rounded-2xl border border-slate-200 bg-white p-6 text-sm text-slate-600">
          No application is connected.
        </p>
      ) : (
        <ul aria-label="Connected apps" className="mt-6 space-y-3">
          {list.map((connection) => (
            <li
              key={connection.id}
              aria-label={connection.name}
              className="flex items-start gap-4 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm"
            >
              <div className="min-w-0 flex-1">
                <h2 className="truncate font-medium">{connection.name}</h2>
                <p className="text-xs text-slate-500">
                  Allowed on <time dateTime={connection.since.toISOString()}>{connection.since.toUTCString()}</time>
                </p>
                <ul className="mt-2 space-y-1 text-sm text-slate-700">
                  {connection.scopes.map((scope) => (
                    <li key={scope}>{describeScope(scope)}</li>
                  ))}
                </ul>
              </div>
              <RevokeButton consentId={connection.id} clientName={connection.name} />
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
