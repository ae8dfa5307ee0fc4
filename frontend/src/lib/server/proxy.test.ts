import { describe, expect, it } from "vitest";

import { problem } from "./problem";
import { relay, subjectOf } from "./proxy";

function tokenWith(claims: object): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "EdDSA" })}.${encode(claims)}.signature`;
}

describe("subjectOf", () => {
  it("reads the user id from the token's sub", () => {
    expect(subjectOf(tokenWith({ sub: "user_123", exp: 1 }))).toBe("user_123");
  });

  it.each([
    ["no sub", tokenWith({ exp: 1 })],
    ["empty sub", tokenWith({ sub: "" })],
    ["non-string sub", tokenWith({ sub: 42 })],
    ["not a JWT", "garbage"],
    ["undecodable payload", "a.%%%.c"],
  ])("returns null for %s", (_case, token) => {
    expect(subjectOf(token)).toBeNull();
  });
});

describe("problem", () => {
  it("answers RFC 9457 problem JSON", async () => {
    const response = problem(401, "Unauthorized", "Sign in to continue.");
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toEqual({
      type: "about:blank",
      title: "Unauthorized",
      status: 401,
      detail: "Sign in to continue.",
    });
  });
});

describe("relay", () => {
  const caller = { userId: "user_1", token: "token" };

  async function forwardedHeaders(cookie: string | null): Promise<Headers> {
    let sent = new Headers();
    const fetchStub = async (_url: string | URL | Request, init?: RequestInit) => {
      sent = new Headers(init?.headers);
      return new Response("[]", { headers: { "content-type": "application/json" } });
    };
    const original = globalThis.fetch;
    globalThis.fetch = fetchStub as typeof fetch;
    try {
      const headers: Record<string, string> = cookie ? { cookie } : {};
      await relay(new Request("http://app/api/tasks", { headers }), "http://tasks/api/user_1/tasks", caller, {
        serviceName: "task service",
      });
    } finally {
      globalThis.fetch = original;
    }
    return sent;
  }

  it("forwards the tz cookie as X-Time-Zone", async () => {
    expect((await forwardedHeaders("tz=Pacific%2FAuckland")).get("x-time-zone")).toBe("Pacific/Auckland");
  });

  it.each([
    ["no cookie", null],
    ["an invalid zone", "tz=Not%2FA_Zone"],
  ])("sends no X-Time-Zone for %s", async (_case, cookie) => {
    expect((await forwardedHeaders(cookie)).has("x-time-zone")).toBe(false);
  });
});
