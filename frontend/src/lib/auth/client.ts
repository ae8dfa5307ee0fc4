"use client";

import { oauthProviderClient } from "@better-auth/oauth-provider/client";
import { createAuthClient } from "better-auth/react";

/**
 * Browser-side Better Auth client; same origin, so no base URL is needed. On a page reached from
 * /oauth2/authorize (sign-in, sign-up, consent) the OAuth plugin sends the page's signed query
 * along, so the request continues that authorization.
 */
export const authClient = createAuthClient({ plugins: [oauthProviderClient()] });

/** Better Auth answered with where the browser goes next (its client already navigates there). */
export function isRedirect(data: unknown): boolean {
  return typeof data === "object" && data !== null && "redirect" in data && data.redirect === true;
}
