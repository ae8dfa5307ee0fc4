// Better Auth as the app configures it, on a real SQLite database: sign-in and sign-up are limited
// per client IP (from the configured header) and per email address, both counted in the database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { consumeAttempt, emailKey } from "./email-rate-limit";
import { getAuth, migrateAuthDatabase } from "./server";

const APP = "http://127.0.0.1:3000";
const PASSWORD = "correct horse battery";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-rate-limit-"));
const dbFile = path.join(dir, "auth.db");

beforeAll(async () => {
  vi.stubEnv("AUTH_DATABASE_URL", dbFile);
  vi.stubEnv("BETTER_AUTH_URL", APP);
  vi.stubEnv("AUTH_RATE_LIMIT_MAX_PER_IP", "4");
  vi.stubEnv("AUTH_RATE_LIMIT_MAX_PER_EMAIL", "3");
  vi.stubEnv("AUTH_IP_HEADER", "x-real-ip");
  await migrateAuthDatabase();
});

afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;
const freshIp = () => `10.0.${Math.floor(++counter / 250)}.${(counter % 250) + 1}`;

function call(endpoint: string, ip: string, body: object): Promise<Response> {
  return getAuth().handler(
    new Request(`${APP}/api/auth${endpoint}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: APP, "x-real-ip": ip },
      body: JSON.stringify(body),
    }),
  );
}

const signIn = (email: string, ip: string, password = "wrong password!") =>
  call("/sign-in/email", ip, { email, password });

describe("auth rate limits", () => {
  it("refuses the attempt after AUTH_RATE_LIMIT_MAX_PER_EMAIL for one email, whatever the IP", async () => {
    const email = `${unique("victim")}@example.com`;
    for (let i = 0; i < 3; i++) expect((await signIn(email, freshIp())).status).toBe(401);
    const refused = await signIn(email, freshIp());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("x-retry-after"))).toBeGreaterThan(0);
  });

  it("counts an email in any case and with surrounding spaces as the same address", async () => {
    const name = unique("mixed");
    for (const variant of [`${name}@example.com`, ` ${name.toUpperCase()}@EXAMPLE.com`, `${name}@Example.Com `]) {
      expect((await signIn(variant, freshIp())).status).not.toBe(429);
    }
    expect((await signIn(`${name}@example.com`, freshIp())).status).toBe(429);
  });

  it("refuses the attempt after AUTH_RATE_LIMIT_MAX_PER_IP from one IP, whatever the email", async () => {
    const ip = freshIp();
    for (let i = 0; i < 4; i++) expect((await signIn(`${unique("spray")}@example.com`, ip)).status).toBe(401);
    expect((await signIn(`${unique("spray")}@example.com`, ip)).status).toBe(429);
  });

  it("limits sign-up per IP too", async () => {
    const ip = freshIp();
    const signUp = () =>
      call("/sign-up/email", ip, { email: `${unique("new")}@example.com`, password: PASSWORD, name: "N" });
    for (let i = 0; i < 4; i++) expect((await signUp()).status).toBe(200);
    expect((await signUp()).status).toBe(429);
  });

  it("lets another IP and email sign up and in meanwhile", async () => {
    const email = `${unique("ok")}@example.com`;
    const ip = freshIp();
    expect((await call("/sign-up/email", ip, { email, password: PASSWORD, name: "Ok" })).status).toBe(200);
    expect((await signIn(email, ip, PASSWORD)).status).toBe(200);
  });

  it("keeps both counts in the auth database's rateLimit table", () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      const rows = db.prepare("SELECT key FROM rateLimit").all() as { key: string }[];
      expect(rows.some((row) => row.key.startsWith("email:") && row.key.endsWith("|/sign-in/email"))).toBe(true);
      expect(rows.some((row) => /^10\.[\d.]+\|\/sign-in\/email$/.test(row.key))).toBe(true);
      expect(rows.every((row) => !row.key.includes("@"))).toBe(true); // addresses are hashed
    } finally {
      db.close();
    }
  });
});

describe("consumeAttempt", () => {
  it("allows max attempts per window, then again once the window has passed", async () => {
    const { adapter } = await getAuth().$context;
    const key = emailKey(`${unique("window")}@example.com`, "/sign-in/email");
    const rule = { window: 60, max: 2 };
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
      expect(await consumeAttempt(adapter, key, rule)).toBeNull();
      expect(await consumeAttempt(adapter, key, rule)).toBeNull();
      expect(await consumeAttempt(adapter, key, rule)).toBe(60);
      vi.setSystemTime(new Date("2030-01-01T00:00:30Z"));
      expect(await consumeAttempt(adapter, key, rule)).toBe(30);
      vi.setSystemTime(new Date("2030-01-01T00:01:00Z"));
      expect(await consumeAttempt(adapter, key, rule)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("keys by the normalized address and the path", () => {
    expect(emailKey(" A@B.c ", "/sign-in/email")).toBe(emailKey("a@b.c", "/sign-in/email"));
    expect(emailKey("a@b.c", "/sign-in/email")).not.toBe(emailKey("a@b.c", "/sign-up/email"));
  });
});
