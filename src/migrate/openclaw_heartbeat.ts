/**
 * `agents.defaults.heartbeat` of OpenClaw → Talon's: `every`, `activeHours` ({start, end, timezone}),
 * `target` ("last", "none", or a channel with `to`) and `prompt` carry over; the rest is listed as
 * not carried over.
 */
import { isObj, type Obj } from "./types.ts";
import { type MapContext, reportRest } from "./openclaw_values.ts";

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** The Talon heartbeat of an OpenClaw one, or undefined when there is none (or it cannot be mapped). */
export function mapHeartbeat(hb: unknown, ctx: MapContext): Obj | undefined {
  if (!isObj(hb)) return undefined;
  const path = "agents.defaults.heartbeat";
  const out: Obj = {};
  if (typeof hb.every === "string" && /^\d+(ms|s|m|h)$/.test(hb.every.trim())) out.every = hb.every.trim();
  else if (hb.every !== undefined) {
    ctx.warnings.push(`${path}.every "${String(hb.every)}" is not a plain duration (e.g. 30m); using 30m`);
  }
  const ah = hb.activeHours;
  if (
    isObj(ah) && typeof ah.start === "string" && typeof ah.end === "string" && HHMM.test(ah.start) &&
    HHMM.test(ah.end)
  ) {
    const tz = typeof ah.timezone === "string" && ah.timezone.includes("/") ? ah.timezone : undefined;
    if (ah.timezone !== undefined && !tz) {
      ctx.warnings.push(
        `${path}.activeHours.timezone "${String(ah.timezone)}": set an IANA zone; UTC is used`,
      );
    }
    out.activeHours = { start: ah.start, end: ah.end, ...(tz ? { timezone: tz } : {}) };
  } else if (ah !== undefined) {
    ctx.unmapped.push({ path: `${path}.activeHours`, reason: "expected {start, end}" });
  }
  if (hb.target === "last" || hb.target === "none") out.target = hb.target;
  else if (typeof hb.target === "string" && typeof hb.to === "string") {
    out.target = {
      channel: hb.target,
      to: hb.to,
      ...(typeof hb.accountId === "string" ? { accountId: hb.accountId } : {}),
    };
  } else if (hb.target !== undefined) {
    ctx.warnings.push(
      `${path}.target "${String(hb.target)}" has no "to"; the heartbeat answers the last chat`,
    );
  }
  if (typeof hb.prompt === "string" && hb.prompt.trim()) out.prompt = hb.prompt;
  reportRest(
    hb,
    ["every", "activeHours", "target", "to", "accountId", "prompt"],
    path,
    "no Talon heartbeat setting for it",
    ctx,
  );
  return out;
}
