/**
 * Runs the gateway and restarts it in the same process when `gateway.restart` asks (Control UI "Apply
 * and restart"). Chosen over exiting for the service manager: a gateway started by hand in a terminal
 * (`talon gateway`) has no manager to start it again, and under systemd the unit keeps its process.
 *
 * A restart: load talon.json again (an invalid file is refused before anything stops) → stop the
 * running gateway (sockets closed with 1012 "service restart", channels, lanes, cron, outbox dispatcher,
 * store) → start it again with the new config on the same address (the same port too when the port is
 * unchanged, so a `0` port keeps the one it got). Runs in progress are interrupted and queued again
 * from the durable inbox; unsent replies wait in the durable outbox. If the new config cannot start
 * (say its port is taken), the previous config is started again and the error logged.
 */
import type { LoadedConfig } from "../config/load.ts";
import { changedSections } from "../config/changes.ts";
import { type RunningGateway, startGateway, type StartGatewayOptions } from "./gateway_runtime.ts";

export interface SupervisorOptions extends Omit<StartGatewayOptions, "loaded" | "port" | "restart"> {
  /** Loads and validates the config, the same way every time (file, env, command-line flags). */
  load(): Promise<LoadedConfig>;
  /** The first config (already loaded by the caller); default: `load()`. */
  loaded?: LoadedConfig;
  /** Called after every start, the first included (print the address, the outer bound…). */
  onStart?(gw: RunningGateway, loaded: LoadedConfig, restarted: boolean): void;
}

export interface SupervisedGateway {
  /** The gateway running now; a restart replaces it. */
  readonly current: RunningGateway;
  readonly loaded: LoadedConfig;
  /** Restarts with the config loaded again; resolves with the new gateway. Refused when the config is invalid. */
  restart(reason?: string): Promise<RunningGateway>;
  /** Stops for good. */
  shutdown(reason?: string): Promise<void>;
  /** Resolves when the gateway stopped for good (not for a restart). */
  finished: Promise<void>;
}

/** WebSocket close code 1012: the service is restarting (clients reconnect). */
export const CLOSE_RESTART = 1012;

/** Starts the gateway under a supervisor that can restart it in this process. */
export async function superviseGateway(opts: SupervisorOptions): Promise<SupervisedGateway> {
  const { load, onStart, loaded: first, ...startOpts } = opts;
  let loaded = first ?? await load();
  let current: RunningGateway;
  let restarting: Promise<RunningGateway> | undefined;
  let stopped = false;
  const done = Promise.withResolvers<void>();

  const start = async (next: LoadedConfig, port: number | undefined) => {
    const gw = await startGateway({
      ...startOpts,
      loaded: next,
      ...(port !== undefined ? { port } : {}),
      restart: {
        plan: async () => ({ changed: changedSections(loaded.config, (await load()).config) }),
        restart: (reason) =>
          void restart(reason).catch((err) =>
            current.logger.error(`restart failed: ${(err as Error).message}`)
          ),
      },
    });
    gw.finished.then(() => {
      if (gw === current && !restarting) done.resolve();
    }, (err) => done.reject(err));
    return gw;
  };

  const samePort = (a: LoadedConfig, b: LoadedConfig, port: number) =>
    a.config.gateway.port === b.config.gateway.port && a.config.gateway.bind === b.config.gateway.bind
      ? port
      : undefined;

  const restart = (reason = "gateway restarting"): Promise<RunningGateway> => {
    if (stopped) return Promise.reject(new Error("The gateway is stopped"));
    restarting ??= (async () => {
      try {
        const next = await load();
        const prev = current;
        const prevLoaded = loaded;
        prev.logger.info("gateway restarting", {
          reason,
          changed: changedSections(loaded.config, next.config),
        });
        await prev.shutdown(reason, CLOSE_RESTART);
        try {
          current = await start(next, samePort(prevLoaded, next, prev.port));
          loaded = next;
        } catch (err) {
          // The new config cannot start: the old one can (it was running a moment ago).
          try {
            current = await start(prevLoaded, prev.port);
          } catch (again) {
            stopped = true;
            done.reject(again);
            throw again;
          }
          current.logger.error(`restart with the new config failed; running the previous one: ${err}`);
          onStart?.(current, prevLoaded, true);
          throw err;
        }
        onStart?.(current, loaded, true);
        return current;
      } finally {
        restarting = undefined;
      }
    })();
    return restarting;
  };

  current = await start(loaded, undefined);
  onStart?.(current, loaded, false);

  return {
    get current() {
      return current;
    },
    get loaded() {
      return loaded;
    },
    restart,
    async shutdown(reason) {
      stopped = true;
      await restarting?.catch(() => {});
      await current.shutdown(reason);
      done.resolve();
    },
    finished: done.promise,
  };
}
