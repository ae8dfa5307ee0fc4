import { describe, expect, it } from "vitest";

import { problem } from "./problem";
import { subjectOf } from "./proxy";

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
