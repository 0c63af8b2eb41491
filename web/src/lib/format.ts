/** Small display helpers shared by the pages. */

/** `12:03:04` for today, else `2025-01-02 12:03`. */
export function fmtTime(ts: number | string | undefined, now = Date.now()): string {
  if (ts === undefined || ts === null || ts === "") return "—";
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  const iso = new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString();
  return new Date(now).toDateString() === d.toDateString()
    ? iso.slice(11, 19)
    : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** `850 ms`, `2.4 s`, `3 m 05 s`, `2 h 04 m`, `3 d 2 h`. */
export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, "0")} m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function fmtUsd(n: unknown): string {
  const v = Number(n ?? 0);
  if (!Number.isFinite(v)) return "—";
  return v > 0 && v < 0.01 ? `$${v.toFixed(4)}` : `$${v.toFixed(2)}`;
}

export function fmtInt(n: unknown): string {
  const v = Number(n ?? 0);
  return Number.isFinite(v) ? v.toLocaleString("en-US") : "—";
}

/** JSON for a preview, cut to `max` characters. */
export function preview(v: unknown, max = 400): string {
  let s: string;
  try {
    s = typeof v === "string" ? v : JSON.stringify(v, null, 2) ?? "";
  } catch {
    s = String(v);
  }
  return s.length > max ? s.slice(0, max) + "…" : s;
}

/** Splits text into plain parts and run ids (`run_<hex>`), so run ids can be links. */
export function splitRunIds(text: string): { text: string; runId?: string }[] {
  const out: { text: string; runId?: string }[] = [];
  const re = /\brun_[A-Za-z0-9]{6,64}\b/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) out.push({ text: text.slice(last, m.index) });
    out.push({ text: m[0], runId: m[0] });
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/**
 * An argv as one shell-like line: arguments with spaces, quotes or shell characters are single-quoted,
 * so what is shown is exactly what would run. Cut to `max` characters when given.
 */
export function commandLine(argv: readonly string[] | undefined, max?: number): string {
  const line = (argv ?? []).map((a) =>
    a === "" ? "''" : /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`
  ).join(" ");
  return max !== undefined && line.length > max ? line.slice(0, max) + "…" : line;
}
