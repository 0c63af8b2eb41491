/**
 * 5-field cron expressions (minute hour day-of-month month day-of-week) and the next matching time in an
 * IANA time zone. Supports `*`, lists, ranges, steps (`*\/15`, `1-30/5`), month and day names, 7 = Sunday,
 * and the macros @yearly @monthly @weekly @daily @hourly. When both day fields are restricted, a day matches
 * either (classic cron). Local times skipped by a DST change do not fire; repeated ones fire once.
 */

export interface CronExpr {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
  source: string;
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** Parses an expression. Throws RangeError naming the bad field. */
export function parseCron(source: string): CronExpr {
  const text = MACROS[source.trim().toLowerCase()] ?? source.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    throw new RangeError(`Invalid cron "${source}": expected 5 fields, got ${fields.length}`);
  }
  const [mi, h, dom, mo, dow] = fields as [string, string, string, string, string];
  const weekdays = parseField(dow, 0, 7, DAYS, "day-of-week", source);
  if (weekdays.has(7)) {
    weekdays.delete(7);
    weekdays.add(0);
  }
  return {
    minutes: parseField(mi, 0, 59, undefined, "minute", source),
    hours: parseField(h, 0, 23, undefined, "hour", source),
    days: parseField(dom, 1, 31, undefined, "day-of-month", source),
    months: parseField(mo, 1, 12, MONTHS, "month", source),
    weekdays,
    domRestricted: dom !== "*" && dom !== "?",
    dowRestricted: dow !== "*" && dow !== "?",
    source,
  };
}

function parseField(
  field: string,
  min: number,
  max: number,
  names: string[] | undefined,
  what: string,
  src: string,
) {
  const out = new Set<number>();
  const bad = (why: string) => new RangeError(`Invalid cron "${src}": ${what} field "${field}": ${why}`);
  const value = (t: string) => {
    const lower = t.toLowerCase();
    const named = names?.indexOf(lower) ?? -1;
    const offset = names === MONTHS ? 1 : 0;
    const n = named >= 0 ? named + offset : /^\d+$/.test(t) ? Number(t) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw bad(`${t} is not in ${min}-${max}`);
    return n;
  };
  for (const part of field.split(",")) {
    const [range, stepText] = part.split("/") as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw bad(`bad step ${stepText}`);
    let lo: number, hi: number;
    if (range === "*" || range === "?") [lo, hi] = [min, max];
    else if (range.includes("-")) {
      const [a, b] = range.split("-") as [string, string];
      [lo, hi] = [value(a), value(b)];
      if (lo > hi) throw bad(`range ${range} is backwards`);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of instant `ms` in `timeZone`. Throws RangeError for an unknown zone. */
export function localTime(ms: number, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    weekday: DAYS.indexOf(String(p.weekday).toLowerCase().slice(0, 3)),
  };
}

/** The instant of a wall-clock time in `timeZone`, or undefined when that time does not exist (DST gap). */
export function fromLocal(t: Omit<LocalTime, "weekday">, timeZone: string): number | undefined {
  const guess = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  const offsetAt = (ms: number) => {
    const l = localTime(ms, timeZone);
    return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute) - Math.floor(ms / 60_000) * 60_000;
  };
  const offsets = [offsetAt(guess - 86_400_000), offsetAt(guess), offsetAt(guess + 86_400_000)];
  for (const candidate of offsets.map((o) => guess - o).sort((a, b) => a - b)) {
    const l = localTime(candidate, timeZone);
    if (
      l.year === t.year && l.month === t.month && l.day === t.day && l.hour === t.hour &&
      l.minute === t.minute
    ) {
      return candidate;
    }
  }
  return undefined;
}

/** The first instant strictly after `after` (ms) matching `expr` in `timeZone`; undefined if none in 5 years. */
export function nextCronTime(expr: CronExpr, after: number, timeZone = "UTC"): number | undefined {
  const start = localTime(after, timeZone);
  let day = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < 366 * 5; i++, day += 86_400_000) {
    const d = new Date(day);
    const [year, month, dom, dow] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay()];
    if (!expr.months.has(month)) continue;
    const domOk = expr.days.has(dom), dowOk = expr.weekdays.has(dow);
    const dayOk = expr.domRestricted && expr.dowRestricted ? domOk || dowOk : domOk && dowOk;
    if (!dayOk) continue;
    for (const hour of [...expr.hours].sort((a, b) => a - b)) {
      for (const minute of [...expr.minutes].sort((a, b) => a - b)) {
        const at = fromLocal({ year, month, day: dom, hour, minute }, timeZone);
        if (at !== undefined && at > after) return at;
      }
    }
  }
  return undefined;
}

/** True when `timeZone` is a zone the runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
