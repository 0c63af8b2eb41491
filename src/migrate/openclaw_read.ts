/** Reads an OpenClaw state directory: `openclaw.json` (JSON5), pairing allowlists, cron jobs. */
import { toE164 } from "../core/phone.ts";
import JSON5 from "json5";
import { ImportError, isObj, type Obj } from "./types.ts";
import type { MapContext } from "./openclaw_values.ts";

/** Reads and parses `<dir>/openclaw.json`. Throws ImportError naming the file, line and column. */
export async function readOpenClawConfig(dir: string): Promise<{ file: string; config: Obj }> {
  try {
    const st = await Deno.stat(dir);
    if (!st.isDirectory) throw new ImportError(`Cannot import from ${dir}: not a directory`);
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError(`Cannot import from ${dir}: no OpenClaw state directory there (use --from <dir>)`, {
      cause: err,
    });
  }
  const file = `${dir}/openclaw.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw new ImportError(`Cannot read OpenClaw config ${file}: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON5.parse(text);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; columnNumber?: number };
    const where = e.lineNumber ? `line ${e.lineNumber} column ${e.columnNumber}: ` : "";
    const reason = e.message.replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "");
    throw new ImportError(`Cannot read OpenClaw config ${file}: ${where}${reason}`, { cause: err });
  }
  if (!isObj(value)) {
    throw new ImportError(`Cannot read OpenClaw config ${file}: the top level is not an object`);
  }
  return { file, config: value };
}

/** One approved sender from a `credentials/<channel>[-<account>]-allowFrom.json` file. */
export interface ApprovedPairing {
  channel: "telegram" | "discord" | "whatsapp";
  accountId: string;
  senderId: string;
  /** The file it came from, relative to the state dir. */
  source: string;
}

/**
 * Reads the approved-sender stores (`{version: 1, allowFrom: [...]}`) of Telegram, Discord and WhatsApp. The
 * channel-wide file belongs to the default account; `<channel>-<account>-allowFrom.json` to that account.
 * Pending requests (`*-pairing.json`) expire after an hour and are not imported.
 */
export async function readPairings(
  dir: string,
  accountIds: { telegram: string[]; discord: string[]; whatsapp: string[] },
  ctx: MapContext,
): Promise<ApprovedPairing[]> {
  const credDir = `${dir}/credentials`;
  const out: ApprovedPairing[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(credDir));
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.isFile) continue;
    const rel = `credentials/${e.name}`;
    if (/-pairing\.json$/.test(e.name)) {
      ctx.unmapped.push({
        path: rel,
        reason: "pending pairing requests expire within an hour; senders will get a new code",
      });
      continue;
    }
    const m = /^(telegram|discord|whatsapp)(?:-(.+))?-allowFrom\.json$/.exec(e.name);
    if (!m) {
      if (/-allowFrom\.json$/.test(e.name)) {
        ctx.unmapped.push({ path: rel, reason: "approved senders of a channel Talon does not have" });
      }
      continue;
    }
    const channel = m[1] as "telegram" | "discord" | "whatsapp";
    const accountId = (m[2] ?? "default").toLowerCase();
    if (!accountIds[channel].includes(accountId)) {
      ctx.unmapped.push({
        path: rel,
        reason: `no imported ${channel} account "${accountId}" to attach these approvals to`,
      });
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await Deno.readTextFile(`${credDir}/${e.name}`));
    } catch (err) {
      ctx.unmapped.push({ path: rel, reason: `unreadable: ${(err as Error).message}` });
      continue;
    }
    const list = isObj(parsed) && Array.isArray(parsed.allowFrom) ? parsed.allowFrom : undefined;
    if (!list) {
      ctx.unmapped.push({ path: rel, reason: 'expected {"version": 1, "allowFrom": [...]}' });
      continue;
    }
    const seen = new Set(
      out.filter((p) => p.channel === channel && p.accountId === accountId).map((p) => p.senderId),
    );
    for (const v of list) {
      if (typeof v !== "string" && typeof v !== "number") continue;
      const raw = String(v).trim().replace(/^(tg:|telegram:|discord:|user:|whatsapp:)/i, "");
      const senderId = channel === "whatsapp" ? toE164(raw) ?? raw : raw;
      if (!senderId || senderId === "*" || seen.has(senderId)) continue;
      seen.add(senderId);
      out.push({ channel, accountId, senderId, source: rel });
    }
  }
  return out;
}

/** Reads `<dir>/cron/jobs.json` (`{version: 1, jobs: [...]}`, or a bare array); [] when there is none. */
export async function readCronJobs(dir: string, ctx: MapContext): Promise<Obj[]> {
  const file = `${dir}/cron/jobs.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch {
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (err) {
    ctx.unmapped.push({ path: "cron/jobs.json", reason: `unreadable: ${(err as Error).message}` });
    return [];
  }
  const jobs = Array.isArray(parsed)
    ? parsed
    : isObj(parsed) && Array.isArray(parsed.jobs)
    ? parsed.jobs
    : undefined;
  if (!jobs) {
    ctx.unmapped.push({ path: "cron/jobs.json", reason: 'expected {"version": 1, "jobs": [...]}' });
    return [];
  }
  return jobs.filter(isObj);
}
