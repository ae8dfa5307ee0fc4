import { describe, expect, it } from "vitest";

import { relativeTime } from "./relative-time";

const now = new Date("2026-03-10T12:00:00Z");

describe("relativeTime", () => {
  it.each([
    ["2026-03-10T11:59:50Z", "just now"],
    ["2026-03-10T11:55:00Z", "5 minutes ago"],
    ["2026-03-10T09:00:00Z", "3 hours ago"],
    ["2026-03-09T12:00:00Z", "yesterday"],
    ["2026-02-24T12:00:00Z", "2 weeks ago"],
  ])("%s → %s", (iso, expected) => {
    expect(relativeTime(iso, now)).toBe(expected);
  });

  it("returns an empty string for an invalid date", () => {
    expect(relativeTime("not a date", now)).toBe("");
  });
});
