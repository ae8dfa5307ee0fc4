// Who is calling, from the session cookie — and the JWT that proves it to the Python services.
import "server-only";

import { headers } from "next/headers";

import { getAuth } from "./server";

export type SignedInUser = { id: string; email: string; name: string };

export async function currentUser(requestHeaders?: Headers): Promise<SignedInUser | null> {
  // Headers first: while `next build` prerenders, reading them ends the attempt before any
  // database is opened.
  const incoming = requestHeaders ?? (await headers());
  const session = await getAuth().api.getSession({ headers: incoming });
  if (!session) return null;
  const { id, email, name } = session.user;
  return { id, email, name };
}

/** A fresh short-lived JWT for the session in these headers, or null when signed out. */
export async function serviceToken(requestHeaders: Headers): Promise<string | null> {
  try {
    const { token } = await getAuth().api.getToken({ headers: requestHeaders });
    return token;
  } catch {
    return null;
  }
}
