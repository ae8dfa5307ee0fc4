// The scopes the authorization server grants, and how the consent and settings pages word them.
// Imported by pages on both sides of the server/client boundary, so nothing here reads the env.

export const TASK_SCOPES = ["tasks:read", "tasks:write"] as const;

/** What the app's own tokens carry: the web app may do everything its signed-in user may. */
export const FIRST_PARTY_SCOPE = TASK_SCOPES.join(" ");

/** Every scope a client may request; `openid` makes the server an OpenID provider too. */
export const SUPPORTED_SCOPES = ["openid", "profile", "email", "offline_access", ...TASK_SCOPES];

const WORDING: Record<string, string> = {
  "tasks:read": "See your tasks",
  "tasks:write": "Add, change, complete and delete your tasks",
  offline_access: "Stay connected until you revoke it (refresh tokens)",
  openid: "Know who you are (your account id)",
  profile: "See your name",
  email: "See your email address",
};

/** A requested scope in words; an unknown one is shown as it is. */
export function describeScope(scope: string): string {
  return WORDING[scope] ?? scope;
}

/** A space-separated scope parameter as a list, without blanks or repeats. */
export function parseScopes(scope: string | null | undefined): string[] {
  return [...new Set((scope ?? "").split(" ").filter(Boolean))];
}

/**
 * The scope parameter with `offline_access` added when the client asks for the task scopes, so a
 * client that only asks for what the resource's metadata lists still gets a refresh token.
 */
export function withOfflineAccess(scope: string | null): string | null {
  const scopes = parseScopes(scope);
  const asksForTasks = scopes.some((s) => (TASK_SCOPES as readonly string[]).includes(s));
  if (!asksForTasks || scopes.includes("offline_access")) return scope;
  return [...scopes, "offline_access"].join(" ");
}
