import { describe, expect, it } from "vitest";

import { param, signedOAuthQuery } from "./query";

describe("signedOAuthQuery", () => {
  it("keeps a signed authorization query, repeated parameters included", () => {
    const query = signedOAuthQuery({ client_id: "abc", ba_param: ["client_id", "sig"], sig: "s1" });
    expect(new URLSearchParams(query.slice(1)).getAll("ba_param")).toEqual(["client_id", "sig"]);
    expect(query.startsWith("?")).toBe(true);
  });

  it("is empty without a signature", () => {
    expect(signedOAuthQuery({ client_id: "abc" })).toBe("");
    expect(signedOAuthQuery({})).toBe("");
  });
});

it("param reads the first value", () => {
  expect(param({ scope: ["a", "b"] }, "scope")).toBe("a");
  expect(param({}, "scope")).toBeNull();
});
