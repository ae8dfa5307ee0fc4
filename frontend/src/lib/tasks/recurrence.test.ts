import { describe, expect, it } from "vitest";

import type { Task } from "./api";
import { changesFrom, draftOf, parseTags } from "./edit";
import { choiceOf, recurrenceOptions, ruleFor } from "./recurrence";

describe("the recurrence select", () => {
  it("words its options after the due date", () => {
    expect(recurrenceOptions("2026-12-07T08:00").map((option) => option.label)).toEqual([
      "Does not repeat",
      "Every day",
      "Every week on Monday",
      "Every month on the 7th",
      "Every year",
    ]);
    expect(recurrenceOptions("2026-12-01")[3]?.label).toBe("Every month on the 1st");
    expect(recurrenceOptions("2026-12-22")[3]?.label).toBe("Every month on the 22nd");
  });

  it.each([
    ["none", null],
    ["daily", "FREQ=DAILY"],
    ["weekly", "FREQ=WEEKLY;BYDAY=MO"],
    ["monthly", "FREQ=MONTHLY;BYMONTHDAY=7"],
    ["yearly", "FREQ=YEARLY"],
  ] as const)("maps %s to its RRULE and back", (choice, rule) => {
    expect(ruleFor(choice, "2026-12-07")).toBe(rule);
    expect(choiceOf(rule, "2026-12-07")).toBe(choice);
  });

  it("keeps rules it cannot show as custom", () => {
    expect(choiceOf("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "2026-12-07")).toBe("custom");
    expect(choiceOf("FREQ=WEEKLY;BYDAY=TU", "2026-12-07")).toBe("custom");
  });
});

const task: Task = {
  id: 1,
  title: "Water the plants",
  completed: false,
  priority: "medium",
  tags: ["home"],
  due_date: "2026-12-06T19:00:00Z",
  due_has_time: true,
  recurrence: "FREQ=WEEKLY;BYDAY=MO",
  recurrence_text: "every Monday",
};

describe("changesFrom", () => {
  const zone = "Pacific/Auckland";

  it("sends nothing when nothing changed", () => {
    expect(changesFrom(task, draftOf(task, zone), zone)).toEqual({});
  });

  it("sends only a new title", () => {
    expect(changesFrom(task, { ...draftOf(task, zone), title: " Water the ferns " }, zone)).toEqual({
      title: "Water the ferns",
    });
  });

  it("sends a new due moment as local time with the zone, and the weekly rule follows its day", () => {
    const draft = { ...draftOf(task, zone), due: { value: "2026-12-08T17:30", allDay: false } };
    expect(changesFrom(task, draft, zone)).toEqual({
      due_date: "2026-12-08T17:30:00",
      time_zone: zone,
      recurrence: "FREQ=WEEKLY;BYDAY=TU",
    });
  });

  it("clears the rule with the due date", () => {
    const draft = { ...draftOf(task, zone), due: { value: "", allDay: false } };
    expect(changesFrom(task, draft, zone)).toEqual({ due_date: null, time_zone: zone, recurrence: "" });
  });

  it("sends priority, tags and a monthly rule", () => {
    const draft = {
      ...draftOf(task, zone),
      priority: "high" as const,
      tags: "home, errands",
      recurrence: "monthly" as const,
    };
    expect(changesFrom(task, draft, zone)).toEqual({
      priority: "high",
      tags: ["home", "errands"],
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=7",
    });
  });

  it("reads tags from a comma list", () => {
    expect(parseTags(" a, b ,,a ")).toEqual(["a", "b"]);
  });
});
