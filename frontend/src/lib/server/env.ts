// Server-side configuration, read from the environment at request time (never inlined at build).
import "server-only";

const DEV_AUTH_SECRET = "todo-assistant-local-development-auth-secret-do-not-deploy";

function read(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

const isProduction = () => read("APP_ENV") === "production";

/** The public URL of this app; Better Auth signs tokens with it as issuer and audience. */
export const appUrl = () => (read("BETTER_AUTH_URL") ?? "http://127.0.0.1:3000").replace(/\/$/, "");

export function authSecret(): string {
  const secret = read("BETTER_AUTH_SECRET");
  if (secret) return secret;
  if (isProduction()) throw new Error("BETTER_AUTH_SECRET must be set when APP_ENV=production");
  return DEV_AUTH_SECRET;
}

/** `postgresql://…` (a `+driver` suffix is accepted) or a SQLite file path. */
export const authDatabaseUrl = () => read("AUTH_DATABASE_URL") ?? ".data/auth.db";

export const gatewayUrl = () => (read("GATEWAY_URL") ?? "http://127.0.0.1:8000").replace(/\/$/, "");
export const tasksApiUrl = () => (read("TASKS_API_URL") ?? "http://127.0.0.1:8002").replace(/\/$/, "");
export const historyServiceUrl = () => (read("HISTORY_SERVICE_URL") ?? "http://127.0.0.1:8001").replace(/\/$/, "");

/** Present only when the official ChatKit component may be tried. */
export const chatKitDomainKey = () => read("CHATKIT_DOMAIN_KEY") ?? read("NEXT_PUBLIC_CHATKIT_DOMAIN_KEY") ?? null;

/** Extra origins allowed to call the auth API (comma-separated), e.g. a LAN address. */
export function trustedOrigins(): string[] {
  const extra = (read("AUTH_TRUSTED_ORIGINS") ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  const url = new URL(appUrl());
  const loopbackTwins = isProduction()
    ? []
    : ["127.0.0.1", "localhost"].map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ""}`);
  return [...new Set([url.origin, ...loopbackTwins, ...extra])];
}

export const rateLimitEnabled = () => read("AUTH_RATE_LIMIT") !== "off";
