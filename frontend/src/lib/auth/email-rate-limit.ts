// Better Auth limits requests per client IP and path only. This plugin adds the per-email count
// for sign-in and sign-up, kept in Better Auth's own `rateLimit` table with the same rolling
// window rule (a window restarts at the first attempt after it has passed), so every replica
// shares it and an attacker rotating IPs still meets a limit on the account they target.
import "server-only";

import { createHash } from "node:crypto";

import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";

const LIMITED_PATHS = new Set(["/sign-in/email", "/sign-up/email"]);
const MODEL = "rateLimit";
// A lost race (another attempt changed the row between our steps) is retried this many times.
const ATTEMPTS = 3;

export type EmailRule = { window: number; max: number };

type RateLimitRow = { key: string; count: number; lastRequest: number | string };

type Adapter = {
  findOne: <T>(data: { model: string; where: Where[] }) => Promise<T | null>;
  create: <T extends Record<string, unknown>>(data: { model: string; data: T }) => Promise<unknown>;
  incrementOne: <T>(data: {
    model: string;
    where: Where[];
    increment: Record<string, number>;
    set?: Record<string, unknown>;
  }) => Promise<T | null>;
};

type Where = { field: string; value: string | number; operator?: "lt" | "lte" | "gt" };

/** Case and surrounding spaces do not make a new address; the key holds a hash, not the address. */
export function emailKey(email: string, path: string): string {
  const digest = createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
  return `email:${digest}|${path}`;
}

/** Counts one attempt against `key`; null when allowed, else the seconds until the window frees up. */
export async function consumeAttempt(adapter: Adapter, key: string, rule: EmailRule): Promise<number | null> {
  const byKey: Where = { field: "key", value: key };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = Date.now();
    const windowStart = now - rule.window * 1000;
    const counted = await adapter.incrementOne({
      model: MODEL,
      where: [
        byKey,
        { field: "lastRequest", operator: "gt", value: windowStart },
        { field: "count", operator: "lt", value: rule.max },
      ],
      increment: { count: 1 },
      set: { lastRequest: now },
    });
    if (counted) return null;
    const restarted = await adapter.incrementOne({
      model: MODEL,
      where: [byKey, { field: "lastRequest", operator: "lte", value: windowStart }],
      increment: {},
      set: { count: 1, lastRequest: now },
    });
    if (restarted) return null;
    const row = await adapter.findOne<RateLimitRow>({ model: MODEL, where: [byKey] });
    if (row) {
      const lastRequest = Number(row.lastRequest);
      if (row.count >= rule.max && lastRequest > windowStart) {
        return Math.max(1, Math.ceil((lastRequest + rule.window * 1000 - now) / 1000));
      }
      continue;
    }
    try {
      await adapter.create({ model: MODEL, data: { key, count: 1, lastRequest: now } });
      return null;
    } catch {
      // Another attempt created the row first (its key is unique): count against that row.
    }
  }
  return rule.window; // still contended after the retries: refuse rather than let it through
}

/** The per-email limit on Better Auth's sign-in and sign-up, answered like its own 429. */
export function emailRateLimit(rule: EmailRule): BetterAuthPlugin {
  return {
    id: "email-rate-limit",
    hooks: {
      before: [
        {
          matcher: (context) => LIMITED_PATHS.has(context.path ?? ""),
          handler: createAuthMiddleware(async (ctx) => {
            const email: unknown = ctx.body?.email;
            if (!ctx.request || !ctx.context.rateLimit.enabled || typeof email !== "string") return;
            const retryAfter = await consumeAttempt(ctx.context.adapter, emailKey(email, ctx.path), rule);
            if (retryAfter === null) return;
            throw new APIError(
              "TOO_MANY_REQUESTS",
              { message: "Too many attempts for this email address. Please try again later." },
              { "X-Retry-After": String(retryAfter), "Retry-After": String(retryAfter) },
            );
          }),
        },
      ],
    },
  };
}
