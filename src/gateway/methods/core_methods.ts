/** Methods every gateway has: health, status, config, logs, event subscriptions, presence. */
import { z } from "zod";
import type { Config } from "../../config/schema.ts";
import { configJsonSchema } from "../../config/schema.ts";
import { tailLogFile } from "../../core/log_file.ts";
import { redactValue } from "../../core/redact.ts";
import { VERSION } from "../../core/version.ts";
import type { Store } from "../../store/mod.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { PresenceTracker } from "../ws_connection.ts";
import { healthAgentSummaries } from "./compat_methods.ts";
import type { MethodRegistry } from "./registry.ts";

export interface CoreMethodDeps {
  config: Readonly<Config>;
  store: Store;
  metrics: GatewayMetrics;
  presence: PresenceTracker;
  startedAt: number;
  now: () => number;
  /** Path of the JSON-lines log file, when file logging is on. */
  logFile?: string;
  hostname: string;
  /** Extra status sections contributed by features (lanes, channels…). */
  statusSections?: Record<string, () => unknown | Promise<unknown>>;
}

const filterSchema = z.strictObject({
  all: z.boolean().optional(),
  events: z.array(z.string().max(200)).max(100).optional(),
  sessionKeys: z.array(z.string().max(500)).max(100).optional(),
  runIds: z.array(z.string().max(200)).max(100).optional(),
});

/** Registers health, status, system-presence, config.get, config.schema, logs.tail, events.(un)subscribe. */
export function registerCoreMethods(registry: MethodRegistry, deps: CoreMethodDeps): void {
  const uptimeMs = () => deps.now() - deps.startedAt;
  registry.add({
    name: "health",
    scope: "read",
    params: z.object({}).passthrough(),
    description: "Liveness with store readiness; agents with their sessions in OpenClaw's health shape.",
    handler: async () => {
      const t0 = performance.now();
      const ready = deps.store.ready();
      const summary = ready
        ? await healthAgentSummaries(deps.config, deps.store, deps.now())
        : { agents: [], sessions: undefined };
      return {
        ok: ready,
        ts: deps.now(),
        version: VERSION,
        uptimeMs: uptimeMs(),
        defaultAgentId: deps.config.agents.defaultAgent,
        agents: summary.agents,
        ...(summary.sessions ? { sessions: summary.sessions } : {}),
        store: { ready },
        durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
      };
    },
  });
  registry.add({
    name: "status",
    scope: "read",
    params: z.object({}).passthrough(),
    description: "Server status: version, uptime, connections, bind, features.",
    handler: async () => {
      const sections: Record<string, unknown> = {};
      for (const [name, fn] of Object.entries(deps.statusSections ?? {})) {
        sections[name] = await Promise.resolve(fn()).catch((err) => ({ error: String(err?.message ?? err) }));
      }
      return {
        version: VERSION,
        uptimeMs: uptimeMs(),
        startedAt: new Date(deps.startedAt).toISOString(),
        gateway: {
          bind: deps.config.gateway.bind,
          port: deps.config.gateway.port,
          connections: deps.metrics.connections,
        },
        store: { ready: deps.store.ready(), url: redactUrl(deps.store.db.url) },
        agents: deps.config.agents.list.map((a) => a.id),
        defaultAgentId: deps.config.agents.defaultAgent,
        ...sections,
      };
    },
  });
  registry.add({
    name: "system-presence",
    scope: "read",
    params: z.unknown(),
    description: "Connected clients, with the gateway itself first.",
    handler: () => [
      { mode: "gateway", reason: "self", host: deps.hostname, version: VERSION, ts: deps.now() },
      ...deps.presence.list().map((p) => ({
        mode: p.mode ?? "client",
        reason: "connected",
        clientId: p.clientId,
        version: p.version,
        platform: p.platform,
        connId: p.connId,
        ts: p.connectedAt,
      })),
    ],
  });
  registry.add({
    name: "config.get",
    scope: "read",
    params: z.object({ path: z.string().max(500).optional() }).passthrough(),
    description: "The effective config with secrets redacted.",
    handler: ({ path }) => {
      const redacted = redactValue(deps.config) as Record<string, unknown>;
      return { config: path ? pick(redacted, path) : redacted };
    },
  });
  registry.add({
    name: "config.schema",
    scope: "read",
    params: z.object({}).passthrough(),
    description: "JSON Schema of talon.json.",
    handler: () => ({ schema: configJsonSchema() }),
  });
  registry.add({
    name: "logs.tail",
    scope: "read",
    params: z.object({
      cursor: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(5000).optional(),
      maxBytes: z.number().int().min(1).max(4 * 1024 * 1024).optional(),
    }).passthrough(),
    description: "Log lines after a byte cursor: {file, cursor, size, lines}.",
    handler: async (p) => {
      if (!deps.logFile) return { file: "", cursor: 0, size: 0, lines: [], truncated: false, reset: false };
      return await tailLogFile(deps.logFile, p);
    },
  });
  registry.add({
    name: "events.subscribe",
    scope: "read",
    params: filterSchema,
    description: "Receive bus events by name, session key, run id, or all.",
    handler: (filter, ctx) => ({ subscribed: ctx.subscribe(filter) }),
  });
  registry.add({
    name: "events.unsubscribe",
    scope: "read",
    params: filterSchema,
    handler: (filter, ctx) => {
      ctx.unsubscribe(filter);
      return { ok: true };
    },
  });
}

function pick(obj: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//[redacted]@");
}
