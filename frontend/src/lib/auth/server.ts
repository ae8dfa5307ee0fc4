// The Better Auth instance: email + password accounts, cookie sessions, and the JWT plugin that
// issues the short-lived tokens the Python services verify against /api/auth/jwks.
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
  rateLimitEnabled,
  trustedOrigins,
  trustedProxies,
} from "@/lib/server/env";

import { openAuthDatabase } from "./database";
import { emailRateLimit } from "./email-rate-limit";

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
      jwt({ jwt: { expirationTime: "15m" } }),
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
