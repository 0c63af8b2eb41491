/**
 * `session.dmScope: "main"` puts every DM sender in one session: each sees the others' conversation and
 * they share one queue. Fine for one person; `doctor` and `security audit` warn when more can DM.
 */
import type { Config } from "../config/schema.ts";
import type { TalonPaths } from "../config/paths.ts";
import { openDb } from "../store/db.ts";
import { fileUrl } from "../store/mod.ts";
import type { Finding } from "./findings.ts";

/** Who may DM the agents: distinct sender ids, or `unbounded` (open policy, "*" allowlist). */
export function allowedDmSenders(
  config: Readonly<Config>,
  approved: readonly string[] = [],
): { count: number; unbounded: boolean } {
  const ids = new Set<string>();
  let unbounded = false;
  const channels = { telegram: config.channels.telegram, discord: config.channels.discord };
  for (const [channel, section] of Object.entries(channels)) {
    for (const acc of Object.values(section?.accounts ?? {})) {
      if (acc.dmPolicy === "disabled") continue;
      if (acc.dmPolicy === "open" || acc.allowFrom.includes("*")) unbounded = true;
      for (const id of acc.allowFrom) ids.add(`${channel}:${id}`);
    }
  }
  for (const id of approved) ids.add(id);
  return { count: ids.size, unbounded };
}

/** The finding for a shared DM session with more than one allowed sender, if that is the case. */
export function sharedDmSessionFinding(
  config: Readonly<Config>,
  approved: readonly string[] = [],
): Finding | undefined {
  if (config.session.dmScope !== "main") return undefined;
  const { count, unbounded } = allowedDmSenders(config, approved);
  if (!unbounded && count <= 1) return undefined;
  return {
    id: "session.dmScope.main",
    severity: "medium",
    what: `session.dmScope is "main" while ${
      unbounded ? "anyone may DM the bot" : `${count} senders may DM the bot`
    }: they all share one session`,
    why: "Every sender's prompt holds the others' conversations, and their messages share one queue " +
      "(the queue cap drops messages when several people write at once)",
    fix: 'Set session.dmScope to "per-channel-peer" (the default), or remove the setting',
  };
}

/** Sender ids approved by pairing (`telegram:123`), read from the store when it exists. */
export async function approvedSendersFromStore(
  config: Readonly<Config>,
  paths: TalonPaths,
): Promise<string[]> {
  const url = config.store.url ?? fileUrl(paths.dbFile);
  if (url.startsWith("file:")) {
    try {
      await Deno.stat(url.slice(5));
    } catch {
      return [];
    }
  }
  let db;
  try {
    db = await openDb({ url, authToken: config.store.authToken });
  } catch {
    return []; // an unreadable store is reported by the store check
  }
  try {
    const rows = await db.query<{ channel: string; sender_id: string }>(
      "SELECT channel, sender_id FROM approved_senders",
    );
    return rows.map((r) => `${r.channel}:${r.sender_id}`);
  } catch {
    return []; // not migrated yet: nobody approved
  } finally {
    db.close();
  }
}
