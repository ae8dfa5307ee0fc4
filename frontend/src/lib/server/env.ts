// Server-side configuration, read from the environment at request time (never inlined at build).
import "server-only";

const DEV_AUTH_SECRET = "todo-assistant-local-development-auth-secret-do-not-deploy";

function read(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

export const isProduction = () => read("APP_ENV") === "production";

/** A positive integer from the environment; a malformed value stops the server rather than disabling a limit. */
function positiveInt(name: string, fallback: number): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

/** The public URL of this app; Better Auth signs tokens with it as issuer and audience. */
export const appUrl = () => (read("BETTER_AUTH_URL") ?? "http://127.0.0.1:3000").replace(/\/$/, "");

const MIN_SECRET_LENGTH = 32;

/**
 * The public development secret only where APP_ENV says development or test (or, unset, under
 * `next dev` and the unit tests); anywhere else — `next start` without APP_ENV included — the
 * server refuses to start without a real one.
 */
function allowsDevelopmentSecret(): boolean {
  const appEnv = read("APP_ENV");
  if (appEnv !== undefined) return appEnv === "development" || appEnv === "test";
  return process.env.NODE_ENV !== "production";
}

export function authSecret(): string {
  const secret = read("BETTER_AUTH_SECRET");
  if (secret && !allowsDevelopmentSecret() && (secret === DEV_AUTH_SECRET || secret.length < MIN_SECRET_LENGTH)) {
    throw new Error(`BETTER_AUTH_SECRET must be a private value of at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (secret) return secret;
  if (!allowsDevelopmentSecret()) {
    throw new Error("BETTER_AUTH_SECRET must be set (APP_ENV=development or test use a built-in development value)");
  }
  return DEV_AUTH_SECRET;
}

/** `postgresql://…` (a `+driver` suffix is accepted) or a SQLite file path. */
export const authDatabaseUrl = () => read("AUTH_DATABASE_URL") ?? ".data/auth.db";

/**
 * The canonical URL of mcp-server's MCP endpoint: the one resource OAuth clients may ask tokens for
 * (their `aud`), and an audience of the app's own tokens. Compared exactly, so no slash is trimmed.
 */
export function mcpResourceUrl(): string {
  const value = read("MCP_RESOURCE_URL") ?? "http://127.0.0.1:8002/mcp";
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || !/^https?:$/.test(url.protocol) || value.includes("#")) {
    throw new Error(`MCP_RESOURCE_URL must be an absolute http(s) URL without a fragment, got ${value}`);
  }
  return value;
}

/** How long an OAuth access token lives; JWTs cannot be recalled, so revocation waits this long at most. */
export const oauthAccessTokenSeconds = () => positiveInt("OAUTH_ACCESS_TOKEN_SECONDS", 900);

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

/** Sign-in and sign-up attempts allowed per client IP, and per email address, in each window. */
export function authRateLimits() {
  return {
    windowSeconds: positiveInt("AUTH_RATE_LIMIT_WINDOW", 300),
    maxPerIp: positiveInt("AUTH_RATE_LIMIT_MAX_PER_IP", 10),
    maxPerEmail: positiveInt("AUTH_RATE_LIMIT_MAX_PER_EMAIL", 5),
  };
}

/** The headers the proxy in front of this app sets to the client's address (comma-separated, in order). */
export function clientIpHeaders(): string[] {
  const names = list(read("AUTH_IP_HEADER")).map((name) => name.toLowerCase());
  return names.length > 0 ? names : ["x-forwarded-for"];
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Proxies (IPs or CIDR ranges) whose appended X-Forwarded-For entries are skipped to find the client. */
export const trustedProxies = () => list(read("AUTH_TRUSTED_PROXIES"));

/** The largest request body the relays and the auth API accept (the Python services' variable). */
export const maxRequestBodyBytes = () => positiveInt("MAX_REQUEST_BODY_BYTES", 1024 * 1024);

/** Reads every setting once, so a missing secret or a malformed limit stops the server at start. */
export function checkEnvironment(): void {
  authSecret();
  authRateLimits();
  maxRequestBodyBytes();
  mcpResourceUrl();
  oauthAccessTokenSeconds();
}
