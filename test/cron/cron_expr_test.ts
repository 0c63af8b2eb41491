import assert from "node:assert/strict";
import { nextCronTime, parseCron } from "../../src/cron/cron_expr.ts";
import { nextRunAt } from "../../src/cron/schedule.ts";

const iso = (ms?: number) => (ms === undefined ? "none" : new Date(ms).toISOString());

Deno.test("nextCronTime: table of expressions, zones and DST edges", () => {
  const table: [string, string, string, string][] = [
    // expr, tz, after, expected
    ["*/15 * * * *", "UTC", "2026-01-01T00:07:00Z", "2026-01-01T00:15:00.000Z"],
    ["0 * * * *", "UTC", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00.000Z"],
    ["30 9 * * 1-5", "Europe/Berlin", "2026-01-02T12:00:00Z", "2026-01-05T08:30:00.000Z"],
    ["30 9 * * mon-fri", "America/New_York", "2026-07-03T20:00:00Z", "2026-07-06T13:30:00.000Z"],
    ["0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00.000Z"],
    ["0 12 1 jan,jul *", "UTC", "2026-02-01T00:00:00Z", "2026-07-01T12:00:00.000Z"],
    ["0 0 13 * 5", "UTC", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00.000Z"], // dom OR dow: Friday 2 Jan
    ["0 0 * * 7", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00.000Z"], // 7 = Sunday
    ["30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-30T00:30:00.000Z"], // 02:30 skipped on 29 Mar
    ["30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00.000Z"], // first of the two 02:30s
    ["30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00.000Z"], // …and only once
    ["@daily", "Asia/Kolkata", "2026-01-01T00:00:00Z", "2026-01-01T18:30:00.000Z"],
  ];
  for (const [expr, tz, after, want] of table) {
    assert.equal(
      iso(nextCronTime(parseCron(expr), Date.parse(after), tz)),
      want,
      `${expr} ${tz} after ${after}`,
    );
  }
});

Deno.test("parseCron refuses malformed expressions", () => {
  for (
    const bad of [
      "* * * *",
      "60 * * * *",
      "* 24 * * *",
      "* * 0 * *",
      "* * * 13 *",
      "*/0 * * * *",
      "5-1 * * * *",
      "x * * * *",
    ]
  ) {
    assert.throws(() => parseCron(bad), RangeError, bad);
  }
});

Deno.test("nextRunAt for at and every", () => {
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(nextRunAt({ kind: "at", at: "2026-01-01T01:00:00Z" }, t0, t0), t0 + 3_600_000);
  assert.equal(nextRunAt({ kind: "at", at: "2026-01-01T01:00:00Z" }, t0 + 3_600_000, t0), undefined);
  assert.equal(nextRunAt({ kind: "every", everyMs: 60_000 }, t0, t0), t0 + 60_000);
  assert.equal(nextRunAt({ kind: "every", everyMs: 60_000 }, t0 + 150_000, t0), t0 + 180_000);
});
