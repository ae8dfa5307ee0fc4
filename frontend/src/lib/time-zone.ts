// The user's IANA time zone travels from the browser to the services in a cookie the app sets on
// load; the server-side relays read it and forward it as `X-Time-Zone` (the services default to UTC).

export const TIME_ZONE_COOKIE = "tz";

// IANA names are short ASCII paths ("America/Argentina/Buenos_Aires", "Etc/GMT+5"); anything else
// is refused before Intl sees it, so no arbitrary text is ever forwarded.
const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** `name` when it is a time zone this runtime knows, else null. */
export function validTimeZone(name: string | null | undefined): string | null {
  if (!name || name.length > 64 || !ZONE_SHAPE.test(name)) return null;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return name;
  } catch {
    return null;
  }
}

/** The browser's own zone (UTC when the runtime cannot tell). */
export function browserTimeZone(): string {
  return validTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone) ?? "UTC";
}

/** The validated zone in a `Cookie` request header, or null. */
export function timeZoneFromCookies(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name !== TIME_ZONE_COOKIE) continue;
    try {
      return validTimeZone(decodeURIComponent(rest.join("=")));
    } catch {
      return null;
    }
  }
  return null;
}
