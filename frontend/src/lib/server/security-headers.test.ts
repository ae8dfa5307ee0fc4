import { describe, expect, it } from "vitest";

import {
  CHATKIT_ORIGIN,
  contentSecurityPolicy,
  pageSecurityHeaders,
  STATIC_SECURITY_HEADERS,
} from "./security-headers";

const BASE = { nonce: "abc123", chatKit: false, production: false, development: false };

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe("contentSecurityPolicy", () => {
  it("allows scripts only from this origin and with the request's nonce", () => {
    const csp = directives(contentSecurityPolicy(BASE));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-abc123'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("frame-src")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
  });

  it("never allows inline or eval'd scripts outside development", () => {
    const policy = contentSecurityPolicy({ ...BASE, chatKit: true, production: true });
    expect(directives(policy).get("script-src")).not.toContain("'unsafe-inline'");
    expect(policy).not.toContain("'unsafe-eval'");
    expect(directives(contentSecurityPolicy({ ...BASE, development: true })).get("script-src")).toContain(
      "'unsafe-eval'",
    );
  });

  it("names OpenAI's ChatKit origin only when a domain key is configured", () => {
    expect(contentSecurityPolicy(BASE)).not.toContain(CHATKIT_ORIGIN);
    const csp = directives(contentSecurityPolicy({ ...BASE, chatKit: true }));
    expect(csp.get("script-src")).toContain(CHATKIT_ORIGIN);
    expect(csp.get("frame-src")).toEqual([CHATKIT_ORIGIN]);
    expect(csp.get("connect-src")).toContain(CHATKIT_ORIGIN);
  });

  it("upgrades insecure requests only in production", () => {
    expect(directives(contentSecurityPolicy(BASE)).has("upgrade-insecure-requests")).toBe(false);
    expect(directives(contentSecurityPolicy({ ...BASE, production: true })).has("upgrade-insecure-requests")).toBe(
      true,
    );
  });
});

describe("pageSecurityHeaders", () => {
  it("sends HSTS only in production", () => {
    expect(pageSecurityHeaders(BASE)).not.toHaveProperty("Strict-Transport-Security");
    expect(pageSecurityHeaders({ ...BASE, production: true })["Strict-Transport-Security"]).toMatch(/^max-age=\d+/);
  });

  it("carries the CSP", () => {
    expect(pageSecurityHeaders(BASE)["Content-Security-Policy"]).toBe(contentSecurityPolicy(BASE));
  });
});

describe("STATIC_SECURITY_HEADERS", () => {
  it("turns off sniffing, framing and cross-origin referrers", () => {
    expect(Object.fromEntries(STATIC_SECURITY_HEADERS.map(({ key, value }) => [key, value]))).toEqual({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-Frame-Options": "DENY",
    });
  });
});
