import { afterEach, describe, expect, it, vi } from "vitest";

import { oauthProviderOptions } from "./oauth";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("oauthProviderOptions", () => {
  it("binds tokens to the MCP resource and registers clients for it", () => {
    vi.stubEnv("MCP_RESOURCE_URL", "https://mcp.example.com/mcp");
    const options = oauthProviderOptions();
    expect(options.resources).toEqual([expect.objectContaining({ identifier: "https://mcp.example.com/mcp" })]);
    expect(options.clientRegistrationDefaultResources).toEqual(["https://mcp.example.com/mcp"]);
    expect(options.resources[0].allowedScopes).toEqual(["tasks:read", "tasks:write", "offline_access"]);
  });

  it("lets clients register without a session, for the code and refresh grants only", () => {
    const options = oauthProviderOptions();
    expect(options.allowDynamicClientRegistration).toBe(true);
    expect(options.allowUnauthenticatedClientRegistration).toBe(true);
    expect(options.grantTypes).toEqual(["authorization_code", "refresh_token"]);
    expect(options.scopes).toEqual(expect.arrayContaining(["tasks:read", "tasks:write", "offline_access"]));
  });

  it("takes the access-token lifetime from OAUTH_ACCESS_TOKEN_SECONDS (15 minutes by default)", () => {
    expect(oauthProviderOptions().accessTokenExpiresIn).toBe(900);
    vi.stubEnv("OAUTH_ACCESS_TOKEN_SECONDS", "300");
    expect(oauthProviderOptions().accessTokenExpiresIn).toBe(300);
  });

  it("lets nobody manage clients through the app beyond registering and reading them", () => {
    const { clientPrivileges } = oauthProviderOptions();
    expect(["create", "read"].map((action) => clientPrivileges({ action }))).toEqual([true, true]);
    expect(["update", "delete", "list", "rotate"].map((action) => clientPrivileges({ action }))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
