import { describe, expect, it } from "vitest";

import { describeScope, FIRST_PARTY_SCOPE, parseScopes, SUPPORTED_SCOPES, withOfflineAccess } from "./scopes";

describe("describeScope", () => {
  it("words the task scopes for the consent page", () => {
    expect(describeScope("tasks:read")).toBe("See your tasks");
    expect(describeScope("tasks:write")).toBe("Add, change, complete and delete your tasks");
  });

  it("words every supported scope, and shows an unknown one as it is", () => {
    for (const scope of SUPPORTED_SCOPES) expect(describeScope(scope)).not.toBe(scope);
    expect(describeScope("calendar:read")).toBe("calendar:read");
  });
});

describe("parseScopes", () => {
  it("drops blanks and repeats", () => {
    expect(parseScopes(" tasks:read  tasks:read tasks:write ")).toEqual(["tasks:read", "tasks:write"]);
    expect(parseScopes(null)).toEqual([]);
  });
});

describe("withOfflineAccess", () => {
  it("adds offline_access when the task scopes are asked for", () => {
    expect(withOfflineAccess("tasks:read tasks:write")).toBe("tasks:read tasks:write offline_access");
    expect(withOfflineAccess("tasks:read")).toBe("tasks:read offline_access");
  });

  it("leaves other requests alone", () => {
    expect(withOfflineAccess("tasks:read offline_access")).toBe("tasks:read offline_access");
    expect(withOfflineAccess("openid profile")).toBe("openid profile");
    expect(withOfflineAccess(null)).toBeNull();
  });
});

it("gives the app's own tokens both task scopes", () => {
  expect(FIRST_PARTY_SCOPE).toBe("tasks:read tasks:write");
});
