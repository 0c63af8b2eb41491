/**
 * OpenClaw-shaped answers that its CLI reads and that no Talon feature provides in that shape:
 * `agents.list` (the roster `openclaw agent` asks for in remote mode) and the per-agent session
 * summaries of `health` (`openclaw health` prints `Session store (<agent>): <path> (<n> entries)`).
 */
import { z } from "zod";
import type { Config } from "../../config/schema.ts";
import { createSessionRepo } from "../../store/sessions.ts";
import type { Store } from "../../store/mod.ts";
import type { MethodRegistry } from "./registry.ts";

export interface CompatMethodDeps {
  config: Readonly<Config> | (() => Readonly<Config>);
  store: Store;
  now: () => number;
}

/** One agent's sessions as OpenClaw's health summary shows them. */
export interface HealthSessions {
  path: string;
  count: number;
  recent: { key: string; updatedAt: number; age: number | null }[];
}

/** One entry of `health.agents` in OpenClaw's shape (plus Talon's `id` and `name`). */
export interface HealthAgent {
  agentId: string;
  id: string;
  name?: string;
  isDefault: boolean;
  sessions: HealthSessions;
}

const RECENT = 5;

/** Where sessions live, for display: the store URL without credentials. */
export function sessionStoreLabel(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//[redacted]@");
}

/**
 * Per-agent session summaries for `health`, plus the totals. A store without the sessions table (or a
 * failing query) yields empty summaries rather than failing the health check.
 */
export async function healthAgentSummaries(
  config: Readonly<Config>,
  store: Store,
  now: number,
): Promise<{ agents: HealthAgent[]; sessions: HealthSessions }> {
  const path = sessionStoreLabel(store.db.url);
  let rows: { key: string; agentId: string; updatedAt: number }[] = [];
  try {
    rows = (await createSessionRepo(store.db).list({ limit: 10_000 })).map((s) => ({
      key: s.sessionKey,
      agentId: s.agentId,
      updatedAt: s.updatedAt,
    }));
  } catch {
    rows = [];
  }
  const summarise = (list: typeof rows): HealthSessions => ({
    path,
    count: list.length,
    recent: list.slice(0, RECENT).map((r) => ({
      key: r.key,
      updatedAt: r.updatedAt,
      age: Math.max(0, now - r.updatedAt),
    })),
  });
  const agents = config.agents.list.map((a) => ({
    agentId: a.id,
    id: a.id,
    ...(a.name ? { name: a.name } : {}),
    isDefault: a.id === config.agents.defaultAgent,
    sessions: summarise(rows.filter((r) => r.agentId === a.id)),
  }));
  return { agents, sessions: summarise(rows) };
}

/** Registers `agents.list`: `{defaultId, mainKey, agents: [{id, name}]}`. */
export function registerCompatMethods(registry: MethodRegistry, deps: CompatMethodDeps): void {
  const config = typeof deps.config === "function" ? deps.config : () => deps.config as Readonly<Config>;
  registry.add({
    name: "agents.list",
    scope: "read",
    params: z.object({}).passthrough(),
    description: "The configured agents and the default one (OpenClaw roster shape).",
    handler: () => {
      const c = config();
      return {
        defaultId: c.agents.defaultAgent,
        mainKey: "main",
        agents: c.agents.list.map((a) => ({ id: a.id, name: a.name ?? a.id })),
      };
    },
  });
}
