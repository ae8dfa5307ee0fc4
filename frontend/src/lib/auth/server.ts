// The Better Auth instance: email + password accounts, cookie sessions, and the JWT plugin that
// issues the short-lived tokens the Python services verify against /api/auth/jwks.
import "server-only";

import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins";

import { appUrl, authDatabaseUrl, authSecret, rateLimitEnabled, trustedOrigins } from "@/lib/server/env";

import { openAuthDatabase } from "./database";

function authOptions() {
  return {
    appName: "Todo Assistant",
    baseURL: appUrl(),
    secret: authSecret(),
    database: openAuthDatabase(authDatabaseUrl()),
    trustedOrigins: trustedOrigins(),
    emailAndPassword: { enabled: true, autoSignIn: true, minPasswordLength: 8 },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    rateLimit: { enabled: rateLimitEnabled() },
    telemetry: { enabled: false },
    plugins: [jwt({ jwt: { expirationTime: "15m" } }), nextCookies()],
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
