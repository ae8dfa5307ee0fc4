// The Better Auth instance: email + password accounts, cookie sessions, the JWT plugin that
// issues the short-lived tokens the Python services verify against /api/auth/jwks, and the OAuth
// authorization server MCP clients sign in with (./oauth.ts).
import "server-only";

import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins";

import {
  appUrl,
  authDatabaseUrl,
  authRateLimits,
  authSecret,
  clientIpHeaders,
  mcpResourceUrl,
  rateLimitEnabled,
  trustedOrigins,
  trustedProxies,
} from "@/lib/server/env";

import { FIRST_PARTY_SCOPE } from "@/lib/oauth/scopes";

import { openAuthDatabase } from "./database";
import { emailRateLimit } from "./email-rate-limit";
import { authorizationServer, mcpClientPolicy } from "./oauth";

function authOptions() {
  const limits = authRateLimits();
  const perIp = { window: limits.windowSeconds, max: limits.maxPerIp };
  return {
    appName: "Todo Assistant",
    baseURL: appUrl(),
    secret: authSecret(),
    database: openAuthDatabase(authDatabaseUrl()),
    trustedOrigins: trustedOrigins(),
    emailAndPassword: { enabled: true, autoSignIn: true, minPasswordLength: 8 },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // Counted in the auth database, so every replica sees the same counts. The client's address
    // comes from the header the proxy in front of the app sets (it must overwrite a client's own).
    rateLimit: {
      enabled: rateLimitEnabled(),
      storage: "database" as const,
      customRules: { "/sign-in/email": perIp, "/sign-up/email": perIp },
    },
    advanced: { ipAddress: { ipAddressHeaders: clientIpHeaders(), trustedProxies: trustedProxies() } },
    telemetry: { enabled: false },
    plugins: [
      // The app's own tokens: valid for the app and for mcp-server, with every task scope. The
      // issuer is the app's origin, which is also the OAuth issuer the services check.
      jwt({
        jwt: {
          issuer: appUrl(),
          audience: [appUrl(), mcpResourceUrl()],
          expirationTime: "15m",
          definePayload: ({ user }) => ({ ...user, scope: FIRST_PARTY_SCOPE }),
        },
      }),
      mcpClientPolicy(),
      authorizationServer(),
      // The same window as the per-IP rules: Better Auth prunes rows older than its longest window.
      emailRateLimit({ window: limits.windowSeconds, max: limits.maxPerEmail }),
      nextCookies(),
    ],
  };
}

function createAuth() {
  return betterAuth(authOptions());
}

type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { todoAuth?: Auth; todoAuthMigrated?: Promise<void> };

/** One instance per server process, created on first use (so `next build` opens no database). */
export function getAuth(): Auth {
  globalForAuth.todoAuth ??= createAuth();
  return globalForAuth.todoAuth;
}

/** Creates or updates Better Auth's tables; runs once per process, at server start. */
export function migrateAuthDatabase(): Promise<void> {
  globalForAuth.todoAuthMigrated ??= (async () => {
    const { runMigrations } = await getMigrations(getAuth().options);
    await runMigrations();
  })();
  return globalForAuth.todoAuthMigrated;
}
