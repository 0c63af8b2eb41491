/** The cron page's add/edit form: form values ↔ `cron.add`/`cron.update` params, and which field an error names. */

export type ScheduleKind = "every" | "cron" | "at";

export type Schedule =
  | { kind: "every"; everyMs: number }
  | { kind: "cron"; expr: string; tz?: string }
  | { kind: "at"; at: string };

/** A cron run's state; `interrupted`: the gateway stopped while it ran. */
export type RunStatus = "ok" | "error" | "running" | "interrupted";

/** The state of a history row: an open row is running only while the job runs now. */
export function rowStatus(
  row: { endedAt?: number; ok?: boolean },
  newest: boolean,
  jobStatus: RunStatus | undefined,
): RunStatus {
  if (row.endedAt === undefined) return newest && jobStatus === "running" ? "running" : "interrupted";
  return row.ok ? "ok" : "error";
}

/** A job as `cron.list` returns it. */
export interface CronJobView {
  id: string;
  name: string;
  schedule: Schedule;
  payload: { message: string; agentId?: string; sessionKey?: string };
  enabled: boolean;
  describe: string;
  agentId: string;
  nextRunAt?: number;
  lastRunAt?: number;
  lastStatus?: RunStatus;
  lastSummary?: string;
  lastRunId?: string;
}

/** What the form holds (all strings, as inputs give them). */
export interface CronForm {
  name: string;
  kind: ScheduleKind;
  /** Interval in minutes. */
  every: string;
  expr: string;
  tz: string;
  /** ISO time with offset. */
  at: string;
  agentId: string;
  message: string;
  sessionKey: string;
  enabled: boolean;
}

export const FORM_FIELDS = ["name", "schedule", "agentId", "message", "sessionKey"] as const;
export type FormField = typeof FORM_FIELDS[number];

/** An empty form for a new job. */
export function emptyForm(agentId: string): CronForm {
  return {
    name: "",
    kind: "every",
    every: "60",
    expr: "0 9 * * 1-5",
    tz: "UTC",
    at: "",
    agentId,
    message: "",
    sessionKey: "",
    enabled: true,
  };
}

/** The form for editing `job`. */
export function formOf(job: CronJobView): CronForm {
  const s = job.schedule;
  return {
    ...emptyForm(job.agentId),
    name: job.name,
    kind: s.kind,
    ...(s.kind === "every" ? { every: String(s.everyMs / 60_000) } : {}),
    ...(s.kind === "cron" ? { expr: s.expr, tz: s.tz ?? "UTC" } : {}),
    ...(s.kind === "at" ? { at: s.at } : {}),
    message: job.payload.message,
    sessionKey: job.payload.sessionKey ?? "",
    enabled: job.enabled,
  };
}

/**
 * The schedule the form describes. Minutes that are not a number go to the gateway as NaN → null and
 * come back as its validation error, so there is one source of truth for what is valid.
 */
export function scheduleOf(f: CronForm): Schedule {
  if (f.kind === "every") return { kind: "every", everyMs: Math.round(Number(f.every.trim()) * 60_000) };
  if (f.kind === "cron") return { kind: "cron", expr: f.expr.trim(), tz: f.tz.trim() || "UTC" };
  return { kind: "at", at: f.at.trim() };
}

/** Params for `cron.add` (no `id`) or `cron.update` (with `id`: the whole job is written). */
export function paramsOf(f: CronForm, id?: string): Record<string, unknown> {
  const common = {
    name: f.name,
    schedule: scheduleOf(f),
    message: f.message,
    enabled: f.enabled,
  };
  if (id) {
    return { id, ...common, agentId: f.agentId || null, sessionKey: f.sessionKey.trim() || null };
  }
  return {
    ...common,
    ...(f.agentId ? { agentId: f.agentId } : {}),
    ...(f.sessionKey.trim() ? { sessionKey: f.sessionKey.trim() } : {}),
  };
}

/**
 * The fields a gateway error names ("Invalid params for cron.add: schedule.expr: invalid…; name: …",
 * "agentId: unknown agent…"), so the form can mark them.
 */
export function fieldsInError(message: string): FormField[] {
  const body = message.replace(/^Invalid params for [\w.]+: /, "");
  const named = body.split("; ").map((part) => part.split(/[.:]/)[0]!.trim());
  return FORM_FIELDS.filter((f) => named.includes(f));
}
