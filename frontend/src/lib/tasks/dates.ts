// The due moment as the panel shows and edits it, always in the browser's zone (Intl does the zone
// math). An all-day task is a plain calendar date: never shifted by a zone.

/** The due fields of a task; all but `due_date` are optional, so older servers still work. */
export type Due = {
  due_date?: string | null;
  due_has_time?: boolean | null;
  due_local?: string | null;
  overdue?: boolean | null;
  completed: boolean;
};

/** What a date input or a datetime-local input holds: `2026-12-07` or `2026-12-07T08:00`. */
export type DueInput = { value: string; allDay: boolean };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isAllDay(due: Due): boolean {
  return due.due_has_time === false;
}

/** The all-day task's calendar date (from `due_local`, else the date part of `due_date`). */
function calendarDate(due: Due): string {
  const local = due.due_local?.slice(0, 10);
  return local && DATE.test(local) ? local : (due.due_date ?? "").slice(0, 10);
}

function parts(instant: Date, zone: string): Record<string, string> {
  const formatter = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, part.value]));
}

/** The local calendar date of an instant in `zone`, as `YYYY-MM-DD`. */
export function localDate(instant: Date, zone: string): string {
  const p = parts(instant, zone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "Mon, Dec 7, 8:00 AM" (timed, in `zone`) or "Mon, Dec 7" (all-day); the year when not `now`'s. */
export function formatDue(due: Due, zone: string, now: Date = new Date()): string | null {
  if (!due.due_date) return null;
  if (isAllDay(due)) {
    const date = new Date(`${calendarDate(due)}T00:00:00Z`);
    return dateFormatter("UTC", date.getUTCFullYear() !== now.getUTCFullYear()).format(date);
  }
  const instant = new Date(due.due_date);
  if (Number.isNaN(instant.getTime())) return null;
  const otherYear = localDate(instant, zone).slice(0, 4) !== localDate(now, zone).slice(0, 4);
  return new Intl.DateTimeFormat("en-US", {
    ...dateOptions(zone, otherYear),
    hour: "numeric",
    minute: "2-digit",
  }).format(instant);
}

function dateOptions(zone: string, withYear: boolean): Intl.DateTimeFormatOptions {
  return { timeZone: zone, weekday: "short", month: "short", day: "numeric", year: withYear ? "numeric" : undefined };
}

function dateFormatter(zone: string, withYear: boolean): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-US", dateOptions(zone, withYear));
}

/** Past due and not done: the server's `overdue` when it sends one, else worked out here. */
export function isOverdue(due: Due, zone: string, now: Date = new Date()): boolean {
  if (due.completed || !due.due_date) return false;
  if (typeof due.overdue === "boolean") return due.overdue;
  if (isAllDay(due)) return calendarDate(due) < localDate(now, zone);
  return new Date(due.due_date).getTime() < now.getTime();
}

/** The editor's starting value: the due moment in `zone`, or empty (timed) when there is none. */
export function dueInput(due: Due, zone: string): DueInput {
  if (!due.due_date) return { value: "", allDay: false };
  if (isAllDay(due)) return { value: calendarDate(due), allDay: true };
  const p = parts(new Date(due.due_date), zone);
  return { value: `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`, allDay: false };
}

/** The `due_date` to send: a date (all-day), a naive local date-time (read in `time_zone`), or null. */
export function dueToSend(input: DueInput): string | null {
  if (!input.value) return null;
  return input.allDay ? input.value.slice(0, 10) : `${input.value.slice(0, 16)}:00`;
}
