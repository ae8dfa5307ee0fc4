import { describe, expect, it } from "vitest";

import { timeZoneFromCookies, validTimeZone } from "./time-zone";

describe("validTimeZone", () => {
  it.each(["Pacific/Auckland", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"])("keeps %s", (zone) => {
    expect(validTimeZone(zone)).toBe(zone);
  });

  it.each([
    ["an unknown zone", "Mars/Olympus_Mons"],
    ["header injection", "UTC\r\nX-Evil: 1"],
    ["an offset", "+13:00"],
    ["a path", "../etc/passwd"],
    ["empty", ""],
    ["too long", `A/${"b".repeat(80)}`],
  ])("refuses %s", (_case, zone) => {
    expect(validTimeZone(zone)).toBeNull();
  });
});

describe("timeZoneFromCookies", () => {
  it("reads the tz cookie among others", () => {
    expect(timeZoneFromCookies("a=1; tz=Pacific%2FAuckland; b=2")).toBe("Pacific/Auckland");
  });

  it.each([
    ["no cookie header", null],
    ["no tz cookie", "a=1; tzx=UTC"],
    ["a bad zone", "tz=Nowhere%2FLand"],
    ["broken encoding", "tz=%E0%A4%A"],
  ])("gives null for %s", (_case, header) => {
    expect(timeZoneFromCookies(header)).toBeNull();
  });
});
