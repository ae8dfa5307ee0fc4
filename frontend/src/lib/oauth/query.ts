// The query /oauth2/authorize puts on the pages it sends the user to (sign-in, sign-up, consent).

export type SearchParams = Record<string, string | string[] | undefined>;

/** The page's query as `?…` when it carries Better Auth's signature, else "". */
export function signedOAuthQuery(params: SearchParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(key, item);
  }
  return query.has("sig") ? `?${query.toString()}` : "";
}

/** One parameter's value (the first, if repeated). */
export function param(params: SearchParams, name: string): string | null {
  const value = params[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
