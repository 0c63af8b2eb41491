/**
 * `gateway.restart` (admin): restarts the gateway in the same process — stop channels, lanes and the
 * HTTP/WebSocket server, load talon.json again, start again on the same address. The config is loaded
 * and validated before anything stops: an invalid file is refused (the gateway keeps running as it is).
 * The answer `{restarting: true, changed}` goes out first; then every connection is closed with 1012
 * (service restart) and clients reconnect. Runs in progress are interrupted and run again after the
 * restart from the durable inbox; unsent replies stay in the outbox (see app/gateway_supervisor.ts).
 */
import { z } from "zod";
import type { AuditRepo } from "../../store/audit.ts";
import type { MethodRegistry } from "./registry.ts";

export interface RestartControl {
  /** Loads the config again; the sections that differ from the running one. Throws ConfigError if invalid. */
  plan(): Promise<{ changed: string[] }>;
  /** Starts the restart (after the current answer has gone out). */
  restart(reason: string): void;
}

/** Registers `gateway.restart`. */
export function registerRestartMethods(
  registry: MethodRegistry,
  deps: { control: RestartControl; audit: AuditRepo },
): void {
  registry.add({
    name: "gateway.restart",
    scope: "admin",
    params: z.strictObject({}).prefault({}),
    description: "Restarts the gateway in this process with talon.json loaded again (refused when the " +
      "file is invalid): {restarting, changed}. Connections are closed with 1012 and reconnect.",
    handler: async (_p, ctx) => {
      const { changed } = await deps.control.plan();
      await deps.audit.record({
        kind: "gateway.restart",
        outcome: "ok",
        actor: `gateway:${ctx.credentialId}`,
        detail: { changed },
      });
      // A macrotask later: the answer is written to the socket before the sockets close.
      setTimeout(() => deps.control.restart("restart requested from the gateway"), 0);
      return { restarting: true, changed };
    },
  });
}
