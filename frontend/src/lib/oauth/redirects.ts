// What the app reads from an OAuth client's redirect URIs.

/** The host a redirect URI sends the user back to, for the consent page. */
export function redirectHost(redirectUri: string | null | undefined): string | null {
  if (!redirectUri || !URL.canParse(redirectUri)) return null;
  return new URL(redirectUri).host;
}

/** Every redirect URI is http on a loopback address, as a desktop or CLI app's are (RFC 8252 §7.3). */
export function onlyLoopbackRedirects(redirectUris: unknown): boolean {
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) return false;
  return redirectUris.every((uri) => {
    if (typeof uri !== "string" || !URL.canParse(uri)) return false;
    const url = new URL(uri);
    return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  });
}
