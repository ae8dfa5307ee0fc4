// The panel's recurrence select and the RRULE each choice stands for. Rules the select cannot
// express (an interval, several days, an end) are shown as "custom" and kept as they are.

export type RecurrenceChoice = "none" | "daily" | "weekly" | "monthly" | "yearly" | "custom";

const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

/** The weekday and day of month of a `YYYY-MM-DD` date (a calendar date, no zone involved). */
function calendar(date: string): { weekday: number; day: number } | null {
  const parsed = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return null;
  return { weekday: parsed.getUTCDay(), day: parsed.getUTCDate() };
}

function ordinal(day: number): string {
  const suffix = { one: "st", two: "nd", few: "rd", other: "th" } as const;
  const rule = new Intl.PluralRules("en-US", { type: "ordinal" }).select(day) as keyof typeof suffix;
  return `${day}${suffix[rule] ?? "th"}`;
}

function weekdayName(weekday: number): string {
  // 2023-01-01 was a Sunday.
  return new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: "UTC" }).format(
    new Date(Date.UTC(2023, 0, 1 + weekday)),
  );
}

/** The select's options for a due date (`YYYY-MM-DD…`); weekly/monthly follow that date. */
export function recurrenceOptions(date: string): { value: RecurrenceChoice; label: string }[] {
  const day = calendar(date);
  if (!day) return [{ value: "none", label: "Does not repeat" }];
  return [
    { value: "none", label: "Does not repeat" },
    { value: "daily", label: "Every day" },
    { value: "weekly", label: `Every week on ${weekdayName(day.weekday)}` },
    { value: "monthly", label: `Every month on the ${ordinal(day.day)}` },
    { value: "yearly", label: "Every year" },
  ];
}

/** The RRULE for a choice on a due date; null = no repetition. `custom` is not built here. */
export function ruleFor(choice: RecurrenceChoice, date: string): string | null {
  const day = calendar(date);
  if (!day || choice === "none" || choice === "custom") return null;
  switch (choice) {
    case "daily":
      return "FREQ=DAILY";
    case "weekly":
      return `FREQ=WEEKLY;BYDAY=${WEEKDAYS[day.weekday]}`;
    case "monthly":
      return `FREQ=MONTHLY;BYMONTHDAY=${day.day}`;
    case "yearly":
      return "FREQ=YEARLY";
  }
}

/** Which choice a stored rule is (on its due date), or `custom` when the select cannot show it. */
export function choiceOf(rule: string | null | undefined, date: string): RecurrenceChoice {
  if (!rule) return "none";
  const normalized = rule.replace(/^RRULE:/i, "").toUpperCase();
  for (const choice of ["daily", "weekly", "monthly", "yearly"] as const) {
    if (ruleFor(choice, date) === normalized) return choice;
  }
  return "custom";
}
