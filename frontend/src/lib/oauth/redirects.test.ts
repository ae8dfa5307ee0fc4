import { describe, expect, it } from "vitest";

import { onlyLoopbackRedirects, redirectHost } from "./redirects";

describe("redirectHost", () => {
  it("names the host and port a client sends the user back to", () => {
    expect(redirectHost("http://127.0.0.1:9999/callback")).toBe("127.0.0.1:9999");
    expect(redirectHost("https://claude.ai/api/mcp/auth_callback")).toBe("claude.ai");
  });

  it("is null without a usable URI", () => {
    expect(redirectHost(null)).toBeNull();
    expect(redirectHost("not a uri")).toBeNull();
  });
});

describe("onlyLoopbackRedirects", () => {
  it.each([[["http://127.0.0.1:33418/callback"]], [["http://localhost:8080/cb", "http://[::1]:9/cb"]]])(
    "is true for a desktop app's loopback URIs: %j",
    (uris) => expect(onlyLoopbackRedirects(uris)).toBe(true),
  );

  it.each([
    [["https://127.0.0.1/callback"]],
    [["http://127.0.0.1:1/cb", "https://example.com/cb"]],
    [["http://example.com/cb"]],
    [[]],
    ["http://127.0.0.1/cb"],
    [[42]],
    [undefined],
  ])("is false otherwise: %j", (uris) => expect(onlyLoopbackRedirects(uris)).toBe(false));
});
