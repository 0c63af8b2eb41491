/**
 * The composition root of the gateway process: the one place that wires concrete parts together.
 */
import { talonCommand } from "../core/cli_name.ts";
import type { LoadedConfig } from "../config/load.ts";
import { displayPath } from "../config/paths.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { ConfigError, TalonError } from "../core/errors.ts";
import { modelStatus } from "../agent/model_chain.ts";
import { MIN_TOKEN_CHARS } from "../config/sections/gateway.ts";
import { createEventBus, type EventBus } from "../core/event_bus.ts";
import type { Logger } from "../core/logger.ts";
import { VERSION } from "../core/version.ts";
import { createGatewayApp } from "../gateway/app.ts";
import { type Authenticator, createAuthenticator } from "../gateway/auth.ts";
import { registerUiMethods } from "../gateway/methods/ui_methods.ts";
import { registerRestartMethods, type RestartControl } from "../gateway/methods/restart_methods.ts";
import { createDeviceRepo, createDeviceVerifier } from "../gateway/device.ts";
import { registerCompatMethods } from "../gateway/methods/compat_methods.ts";
import { createGatewayMetrics } from "../gateway/metrics.ts";
import { registerCoreMethods } from "../gateway/methods/core_methods.ts";
import { MethodRegistry } from "../gateway/methods/registry.ts";
import { createFailureLimiter } from "../gateway/rate_limit.ts";
import { createPresenceTracker } from "../gateway/ws_connection.ts";
import { fileUrl, openStore, type Store, withBufferedMilestones } from "../store/mod.ts";
import { createProcessLogger } from "./logging.ts";
import { createServices } from "./services.ts";
import { boundReport } from "../tools/sandbox/outer_bound.ts";
import { ensureGatewayToken, type GatewayToken } from "./token.ts";

export interface RunningGateway {
  url: string;
  port: number;
  hostname: string;
  token: GatewayToken;
  store: Store;
  logger: Logger;
  bus: EventBus;
  registry: MethodRegistry;
  auth: Authenticator;
  /**
   * Stops accepting, closes sockets with a reason (close code 1001 "going away", or e.g. 1012 "service
   * restart"), flushes and closes the store.
   */
  shutdown(reason?: string, closeCode?: number): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

export interface StartGatewayOptions {
  loaded: LoadedConfig;
  env: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  /** Prints user-facing lines (token location, listen address). */
  print?: (line: string) => void;
  webRoot?: URL;
  /** Listen on this port instead of the configured one (a restart keeps the port a `0` config got). */
  port?: number;
  /** How to restart this gateway (the supervisor's); registers `gateway.restart` when given. */
  restart?: RestartControl;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Starts the gateway: state dir, logger, store, token, methods, HTTP/WS server. */
export async function startGateway(opts: StartGatewayOptions): Promise<RunningGateway> {
  const { config, paths } = opts.loaded;
  const clock = opts.clock ?? systemClock;
  const print = opts.print ?? ((l: string) => console.log(l));
  const startedAt = clock.now();

  if (
    !LOOPBACK.has(config.gateway.bind) &&
    (!config.gateway.auth.token || config.gateway.auth.token.length < MIN_TOKEN_CHARS)
  ) {
    throw new ConfigError(
      `Refusing to bind ${config.gateway.bind}: a non-loopback gateway needs an explicit token of at least ${MIN_TOKEN_CHARS} ` +
        "characters (gateway.auth.token or TALON_TOKEN).",
    );
  }

  await Deno.mkdir(paths.home, { recursive: true, mode: 0o700 });
  const logging = createProcessLogger(config, paths);
  const logger = logging.logger;
  // Milestones are written in batches (see createBufferedMilestoneRepo); flushed on shutdown.
  const store = withBufferedMilestones(
    await openStore({ url: config.store.url ?? fileUrl(paths.dbFile), authToken: config.store.authToken }),
    (err) => logger.error(`writing milestones failed: ${String(err)}`),
    clock,
  );
  if (!config.store.url) await restrictDbFiles(paths.dbFile);
  const token = await ensureGatewayToken({ config, paths, credentials: store.credentials });
  if (token.source === "generated") {
    print(`Generated a gateway token (shown once): ${token.token}`);
    print(`It is stored in ${displayPath(paths.tokenFile, opts.env)} (mode 0600).`);
  }

  const bus = createEventBus((err) => logger.error(`event listener failed: ${String(err)}`));
  const metrics = createGatewayMetrics({ version: VERSION, startedAt, now: () => clock.now() });
  const limiter = createFailureLimiter({
    maxFailures: config.gateway.auth.maxFailures,
    windowMs: config.gateway.auth.failureWindowMs,
    lockoutMs: config.gateway.auth.lockoutMs,
    globalMaxFailures: config.gateway.auth.globalMaxFailures,
    clock,
  });
  const auth = await createAuthenticator({
    credentials: store.credentials,
    limiter,
    audit: store.audit,
    now: () => clock.now(),
  });
  const presence = createPresenceTracker();
  const registry = new MethodRegistry();
  registerCoreMethods(registry, {
    config,
    store,
    metrics,
    presence,
    startedAt,
    now: () => clock.now(),
    logFile: logging.logFile,
    hostname: Deno.hostname(),
    statusSections: {
      models: () => modelStatus(config),
      sandbox: () => ({ mode: config.tools.sandbox, ...boundReport(config.sandbox.outerBound) }),
    },
  });
  const services = await createServices({
    loaded: opts.loaded,
    env: opts.env,
    store,
    bus,
    clock,
    logger,
    registry,
    metrics,
    auth,
    limiter,
    logFile: logging.logFile !== undefined,
  });
  registerCompatMethods(registry, { config, store, now: () => clock.now() });
  const ui = registerUiMethods(registry, {
    credentials: store.credentials,
    audit: store.audit,
    reloadAuth: (options) => auth.reload(options),
    configFile: paths.configFile,
    env: opts.env,
    now: () => clock.now(),
    ...(opts.restart ? { pendingChanges: opts.restart.plan } : {}),
  });
  if (opts.restart) registerRestartMethods(registry, { control: opts.restart, audit: store.audit });
  // Expired one-time sign-in codes and UI sessions are revoked in the background.
  const sweepTimer = clock.setInterval(() => {
    ui.sweep().then((n) => n > 0 ? auth.reload() : undefined).catch((err) =>
      logger.warn(`ui sweep failed: ${err}`)
    );
  }, 60_000);

  const gateway = createGatewayApp({
    config,
    store,
    auth,
    metrics,
    logger,
    webRoot: opts.webRoot ?? new URL("../../web/", import.meta.url),
    mount: (app) => services.mount(app),
    connection: {
      registry,
      auth,
      bus,
      metrics,
      logger,
      clock,
      presence,
      verifyDevice: createDeviceVerifier({ clock, devices: createDeviceRepo(store.db, () => clock.now()) }),
      limits: { ...config.gateway.limits, tickIntervalMs: config.gateway.tickIntervalMs },
      events: [
        "connect.challenge",
        "tick",
        "agent",
        "chat",
        "approval.requested",
        "approval.resolved",
        "error",
      ],
      snapshot: () => ({
        uptimeMs: clock.now() - startedAt,
        defaultAgentId: config.agents.defaultAgent,
        agents: config.agents.list.map((a) => a.id),
      }),
    },
  });

  const listening = Promise.withResolvers<Deno.NetAddr>();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: config.gateway.bind,
      port: opts.port ?? config.gateway.port,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
      onError: (err) => {
        logger.error(`request failed: ${String(err)}`);
        return new Response("Internal error", { status: 500 });
      },
    }, (req, info) => gateway.app.fetch(req, { remoteAddr: (info.remoteAddr as Deno.NetAddr).hostname }));
  } catch (err) {
    clock.clearInterval(sweepTimer);
    await store.milestones.close().catch(() => {});
    store.close();
    logging.close();
    throw listenError(err, config.gateway.bind, opts.port ?? config.gateway.port);
  }
  const addr = await listening.promise;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `http://${host}:${addr.port}`;
  logger.info("gateway listening", { url, version: VERSION, pid: Deno.pid });
  if (token.source === "generated") {
    // First start: what to do next, right after the token.
    print(
      `Next: open ${url}/ and paste the token, or run "${talonCommand()} dashboard" for a one-time sign-in link.`,
    );
    if (!modelStatus(config).defaultModel) {
      print(
        `No model is set yet: run "${talonCommand()} onboard", or set TALON_MODEL=echo/echo to try Talon without an API key.`,
      );
    }
  }
  await services.start();
  await store.audit.record({ kind: "gateway.start", outcome: "ok", detail: { url, version: VERSION } });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = "server shutting down", closeCode = 1001) => {
    stopping ??= (async () => {
      logger.info("gateway stopping", { reason });
      clock.clearInterval(sweepTimer);
      await gateway.closeAll(closeCode, reason);
      await server.shutdown();
      await services.stop().catch((err) => logger.error(`stopping services failed: ${String(err)}`));
      await store.audit.record({ kind: "gateway.stop", outcome: "ok", detail: { reason } }).catch(() => {});
      await store.milestones.close().catch(() => {});
      store.close();
      logging.close();
    })();
    return stopping;
  };

  return {
    url,
    port: addr.port,
    hostname: addr.hostname,
    token,
    store,
    logger,
    bus,
    registry,
    auth,
    shutdown,
    finished: server.finished,
  };
}

/** A failed listen, in words: which address, why, and what to do. */
export function listenError(err: unknown, bind: string, port: number): unknown {
  if (err instanceof Deno.errors.AddrInUse) {
    return new TalonError(
      "UNAVAILABLE",
      `Port ${port} on ${bind} is already in use. Another Talon gateway may be running here (check with ` +
        `"${talonCommand()} status"; stop it with "${talonCommand()} service stop" or Ctrl-C in its terminal), or another program uses ` +
        `the port: start on another one with --port <n> (or gateway.port / TALON_PORT).`,
      { cause: err },
    );
  }
  if (err instanceof Deno.errors.AddrNotAvailable || err instanceof Deno.errors.PermissionDenied) {
    return new TalonError(
      "UNAVAILABLE",
      `Cannot listen on ${bind}:${port}: ${
        (err as Error).message
      }. Check gateway.bind (or --bind) and the port.`,
      { cause: err },
    );
  }
  return err;
}

/** The database and its WAL/SHM files hold transcripts and credentials: owner-only. */
async function restrictDbFiles(dbFile: string): Promise<void> {
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) {
    await Deno.chmod(f, 0o600).catch(() => {});
  }
}
