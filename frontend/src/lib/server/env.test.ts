import { afterEach, describe, expect, it, vi } from "vitest";

import {
  authRateLimits,
  authSecret,
  clientIpHeaders,
  maxRequestBodyBytes,
  mcpResourceUrl,
  oauthAccessTokenSeconds,
  trustedProxies,
} from "./env";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("authSecret", () => {
  it("refuses to run in production without a secret, naming the variable", () => {
    vi.stubEnv("APP_ENV", "production");
    vi.stubEnv("BETTER_AUTH_SECRET", "");
    expect(() => authSecret()).toThrow(/BETTER_AUTH_SECRET/);
  });

  it("refuses `next start` without APP_ENV and without a secret (no silent public default)", () => {
    vi.stubEnv("APP_ENV", "");
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("BETTER_AUTH_SECRET", "");
    expect(() => authSecret()).toThrow(/BETTER_AUTH_SECRET/);
  });

  it.each(["short-secret", "todo-assistant-local-development-auth-secret-do-not-deploy"])(
    "refuses a weak or public secret in production: %s",
    (secret) => {
      vi.stubEnv("APP_ENV", "production");
      vi.stubEnv("BETTER_AUTH_SECRET", secret);
      expect(() => authSecret()).toThrow(/at least 32 characters/);
    },
  );

  it("uses a real secret in production", () => {
    vi.stubEnv("APP_ENV", "production");
    vi.stubEnv("BETTER_AUTH_SECRET", "a".repeat(32));
    expect(authSecret()).toBe("a".repeat(32));
  });

  it.each(["development", "test"])("has a development value when APP_ENV=%s", (appEnv) => {
    vi.stubEnv("APP_ENV", appEnv);
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("BETTER_AUTH_SECRET", "");
    expect(authSecret()).toMatch(/do-not-deploy/);
  });
});

describe("limits from the environment", () => {
  it("has defaults: 1 MiB bodies, 10 attempts per IP and 5 per email in 300 s", () => {
    for (const name of ["MAX_REQUEST_BODY_BYTES", "AUTH_RATE_LIMIT_WINDOW", "AUTH_RATE_LIMIT_MAX_PER_IP"]) {
      vi.stubEnv(name, "");
    }
    vi.stubEnv("AUTH_RATE_LIMIT_MAX_PER_EMAIL", "");
    expect(maxRequestBodyBytes()).toBe(1024 * 1024);
    expect(authRateLimits()).toEqual({ windowSeconds: 300, maxPerIp: 10, maxPerEmail: 5 });
  });

  it("reads them", () => {
    vi.stubEnv("MAX_REQUEST_BODY_BYTES", "2048");
    vi.stubEnv("AUTH_RATE_LIMIT_WINDOW", "60");
    expect(maxRequestBodyBytes()).toBe(2048);
    expect(authRateLimits().windowSeconds).toBe(60);
  });

  it.each(["0", "-1", "1.5", "lots", "1e400"])("refuses %s rather than switching a limit off", (value) => {
    vi.stubEnv("MAX_REQUEST_BODY_BYTES", value);
    expect(() => maxRequestBodyBytes()).toThrow(/MAX_REQUEST_BODY_BYTES must be a positive integer/);
  });
});

describe("clientIpHeaders", () => {
  it("defaults to X-Forwarded-For", () => {
    vi.stubEnv("AUTH_IP_HEADER", "");
    expect(clientIpHeaders()).toEqual(["x-forwarded-for"]);
  });

  it("reads the proxy's header names, in order", () => {
    vi.stubEnv("AUTH_IP_HEADER", "CF-Connecting-IP, X-Real-IP");
    expect(clientIpHeaders()).toEqual(["cf-connecting-ip", "x-real-ip"]);
  });
});

describe("trustedProxies", () => {
  it("is empty by default and reads a comma-separated list", () => {
    vi.stubEnv("AUTH_TRUSTED_PROXIES", "");
    expect(trustedProxies()).toEqual([]);
    vi.stubEnv("AUTH_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10");
    expect(trustedProxies()).toEqual(["10.0.0.0/8", "192.0.2.10"]);
  });
});

describe("mcpResourceUrl", () => {
  it("defaults to the local mcp-server and keeps a configured URL exactly", () => {
    expect(mcpResourceUrl()).toBe("http://127.0.0.1:8002/mcp");
    vi.stubEnv("MCP_RESOURCE_URL", "https://tasks.example.com/mcp/");
    expect(mcpResourceUrl()).toBe("https://tasks.example.com/mcp/");
  });

  it.each(["mcp", "ftp://example.com/mcp", "https://example.com/mcp#x"])("refuses %s, naming the variable", (value) => {
    vi.stubEnv("MCP_RESOURCE_URL", value);
    expect(() => mcpResourceUrl()).toThrow(/MCP_RESOURCE_URL/);
  });
});

describe("oauthAccessTokenSeconds", () => {
  it("is 900 unless OAUTH_ACCESS_TOKEN_SECONDS says otherwise", () => {
    expect(oauthAccessTokenSeconds()).toBe(900);
    vi.stubEnv("OAUTH_ACCESS_TOKEN_SECONDS", "60");
    expect(oauthAccessTokenSeconds()).toBe(60);
  });

  it("refuses a malformed lifetime", () => {
    vi.stubEnv("OAUTH_ACCESS_TOKEN_SECONDS", "15m");
    expect(() => oauthAccessTokenSeconds()).toThrow(/OAUTH_ACCESS_TOKEN_SECONDS/);
  });
});
