import { redirect } from "next/navigation";

import { AuthForm } from "@/components/auth/AuthForm";
import { currentUser } from "@/lib/auth/session";
import { signedOAuthQuery, type SearchParams } from "@/lib/oauth/query";

export const metadata = { title: "Sign in · Todo Assistant" };

export default async function Page({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const oauthQuery = signedOAuthQuery(await searchParams);
  // A signed-in user sent here by an authorization (prompt=login) signs in again.
  if (!oauthQuery && (await currentUser())) redirect("/");
  return <AuthForm mode="sign-in" oauthQuery={oauthQuery} />;
}
