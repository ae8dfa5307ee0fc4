import { describe, expect, it } from "vitest";

import { dueInput, dueToSend, formatDue, isOverdue, localDate } from "./dates";

const NOW = new Date("2026-12-01T12:00:00Z");
const timed = { due_date: "2026-12-06T19:00:00Z", due_has_time: true, completed: false };
const allDay = { due_date: "2026-12-07T00:00:00Z", due_has_time: false, due_local: "2026-12-07", completed: false };

describe("formatDue", () => {
  it.each([
    ["Pacific/Auckland", "Mon, Dec 7, 8:00 AM"],
    ["America/Los_Angeles", "Sun, Dec 6, 11:00 AM"],
    ["UTC", "Sun, Dec 6, 7:00 PM"],
  ])("shows a timed task in %s", (zone, shown) => {
    expect(formatDue(timed, zone, NOW)).toBe(shown);
  });

  it("shows an all-day task as its date in every zone", () => {
    for (const zone of ["Pacific/Auckland", "America/Los_Angeles", "UTC"]) {
      expect(formatDue(allDay, zone, NOW)).toBe("Mon, Dec 7");
    }
  });

  it("adds the year when it is not this year's", () => {
    expect(formatDue({ ...timed, due_date: "2027-03-01T09:30:00Z" }, "UTC", NOW)).toBe("Mon, Mar 1, 2027, 9:30 AM");
  });

  it("treats a task from an older server (no due_has_time) as timed", () => {
    expect(formatDue({ due_date: "2026-12-06T19:00:00Z", completed: false }, "UTC", NOW)).toBe("Sun, Dec 6, 7:00 PM");
  });

  it("shows nothing without a due date", () => {
    expect(formatDue({ due_date: null, completed: false }, "UTC", NOW)).toBeNull();
  });
});

describe("isOverdue", () => {
  it("believes the server's overdue", () => {
    expect(isOverdue({ ...timed, overdue: true }, "UTC", NOW)).toBe(true);
  });

  it("is false for a completed task", () => {
    expect(isOverdue({ ...timed, due_date: "2026-11-01T00:00:00Z", completed: true }, "UTC", NOW)).toBe(false);
  });

  it("compares a timed task's instant with now", () => {
    expect(isOverdue({ ...timed, due_date: "2026-12-01T11:59:00Z" }, "UTC", NOW)).toBe(true);
    expect(isOverdue({ ...timed, due_date: "2026-12-01T12:01:00Z" }, "UTC", NOW)).toBe(false);
  });

  it("makes an all-day task overdue only after its local day", () => {
    const today = { ...allDay, due_local: "2026-12-01" };
    expect(isOverdue(today, "UTC", NOW)).toBe(false);
    // 12:00 UTC is already Dec 2 in Auckland.
    expect(isOverdue(today, "Pacific/Auckland", NOW)).toBe(true);
  });
});

describe("dueInput and dueToSend", () => {
  it("edits a timed task in the browser's zone and sends a naive local time", () => {
    const input = dueInput(timed, "Pacific/Auckland");
    expect(input).toEqual({ value: "2026-12-07T08:00", allDay: false });
    expect(dueToSend(input)).toBe("2026-12-07T08:00:00");
  });

  it("edits an all-day task as a date", () => {
    expect(dueInput(allDay, "America/Los_Angeles")).toEqual({ value: "2026-12-07", allDay: true });
    expect(dueToSend({ value: "2026-12-07", allDay: true })).toBe("2026-12-07");
  });

  it("sends null for an emptied field", () => {
    expect(dueInput({ due_date: null, completed: false }, "UTC")).toEqual({ value: "", allDay: false });
    expect(dueToSend({ value: "", allDay: false })).toBeNull();
  });

  it("reads local dates across the date line", () => {
    expect(localDate(NOW, "Pacific/Auckland")).toBe("2026-12-02");
    expect(localDate(NOW, "Pacific/Pago_Pago")).toBe("2026-12-01");
  });
});
