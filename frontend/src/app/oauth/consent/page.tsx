import { headers } from "next/headers";
import { redirect } from "next/navigation";

import { ConsentForm } from "@/components/oauth/ConsentForm";
import { currentUser } from "@/lib/auth/session";
import { clientName } from "@/lib/oauth/clients";
import { param, signedOAuthQuery, type SearchParams } from "@/lib/oauth/query";
import { redirectHost } from "@/lib/oauth/redirects";
import { describeScope, parseScopes } from "@/lib/oauth/scopes";

export const metadata = { title: "Allow access · Todo Assistant" };

/** Where /oauth2/authorize sends a signed-in user to approve a client's request. */
export default async function ConsentPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const oauthQuery = signedOAuthQuery(params);
  const user = await currentUser();
  if (!user) redirect(`/sign-in${oauthQuery}`);
  const clientId = param(params, "client_id") ?? "";
  const name = (clientId && (await clientName(clientId, await headers()))) || "An unnamed application";
  const host = redirectHost(param(params, "redirect_uri"));
  const scopes = parseScopes(param(params, "scope"));

  return (
    <main className="flex min-h-full items-center justify-center px-4 py-12">
      <section
        aria-labelledby="consent-title"
        className="w-full max-w-md space-y-4 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm"
      >
        <div>
          <p className="text-sm font-medium text-indigo-600">Todo Assistant</p>
          <h1 id="consent-title" className="mt-1 text-2xl font-semibold">
            {name} wants to use your account
          </h1>
          <p className="mt-2 text-sm text-slate-600">
            Signed in as <span className="font-medium text-slate-800">{user.email}</span>.
            {host && (
              <>
                {" "}
                After you answer you go back to <span className="font-medium text-slate-800">{host}</span>.
              </>
            )}
          </p>
        </div>
        <div>
          <h2 className="text-sm font-medium text-slate-700">It will be able to:</h2>
          <ul aria-label="Requested permissions" className="mt-2 space-y-1.5 text-sm text-slate-800">
            {scopes.map((scope) => (
              <li key={scope} className="rounded-lg bg-slate-50 px-3 py-2">
                {describeScope(scope)}
              </li>
            ))}
          </ul>
        </div>
        {oauthQuery ? (
          <ConsentForm />
        ) : (
          <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
            This page only works as part of an application&apos;s sign-in. Start again from the application.
          </p>
        )}
        <p className="text-xs text-slate-500">You can revoke this access any time in Connected apps.</p>
      </section>
    </main>
  );
}
