/**
 * The gateway's Hono app: health/ready/metrics, the WebSocket protocol at /ws (and / for OpenClaw
 * clients), the static Control UI, and feature routes mounted by the composition.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../core/logger.ts";
import type { Store } from "../store/mod.ts";
import type { Authenticator } from "./auth.ts";
import { checkOrigin, type GatewayEnv, httpGate, remoteAddr, requireAuth } from "./http_security.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { staticFiles } from "./static_files.ts";
import { addressKey } from "./address_key.ts";
import { createPreAuthGate } from "./preauth_gate.ts";
import { attachConnection, type ConnectionDeps } from "./ws_connection.ts";

export interface GatewayAppDeps {
  config: Readonly<Config>;
  store: Store;
  auth: Authenticator;
  metrics: GatewayMetrics;
  logger: Logger;
  connection: ConnectionDeps;
  /** Directory URL of the Control UI files. */
  webRoot: URL;
  /** Feature routes (OpenAI-compatible API, hooks, channel webhooks) mounted before the static UI. */
  mount?: (app: Hono<GatewayEnv>) => void;
}

export interface GatewayApp {
  app: Hono<GatewayEnv>;
  /**
   * Closes every open WebSocket with a code and reason (graceful shutdown); resolves when their close
   * handshakes are done or after `waitMs` (default 1 s), so that stopping the server next cannot replace
   * the code (e.g. 1012 "service restart") with its own.
   */
  closeAll(code: number, reason: string, waitMs?: number): Promise<void>;
}

export function createGatewayApp(deps: GatewayAppDeps): GatewayApp {
  const { config } = deps;
  const app = new Hono<GatewayEnv>();
  const limits = config.gateway.limits;
  const preAuth = createPreAuthGate({
    perAddress: limits.preAuthPerAddress,
    total: limits.preAuthTotal,
    openPerAddress: limits.preAuthOpenPerAddress,
    openTotal: limits.preAuthOpenTotal,
    waitMs: limits.preAuthTimeoutMs,
    penaltyMs: config.gateway.auth.lockoutMs,
  }, deps.connection.clock);
  const sockets = new Map<string, { credentialId(): string; close(code: number, reason: string): void }>();
  /** Per open socket: resolves when it has closed. */
  const closing = new Map<string, Promise<void>>();
  // A revoked token (or an expired UI session) ends the connections opened with it, not just new ones.
  deps.auth.onRevoked((ids) => {
    const gone = new Set(ids);
    for (const [connId, conn] of sockets) {
      if (!gone.has(conn.credentialId())) continue;
      deps.logger.info("closing connection: its credential was revoked", {
        connId,
        credentialId: conn.credentialId(),
      });
      conn.close(1008, "credential revoked");
      sockets.delete(connId);
    }
  });

  app.use(
    "*",
    httpGate({
      bind: config.gateway.bind,
      allowedOrigins: config.gateway.allowedOrigins,
      onStatus: (status) => deps.metrics.http(status),
    }),
  );
  app.use(
    "*",
    bodyLimit({
      maxSize: config.gateway.limits.maxBodyBytes,
      onError: (c) =>
        c.json({
          error: {
            code: "PAYLOAD_TOO_LARGE",
            message: `Request body exceeds the limit of ${config.gateway.limits.maxBodyBytes} bytes`,
          },
        }, 413),
    }),
  );

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get(
    "/readyz",
    (c) =>
      deps.store.ready()
        ? c.json({ ok: true, store: "ready" })
        : c.json({ ok: false, store: "not ready" }, 503),
  );
  app.get(
    "/metrics",
    requireAuth(deps.auth, "read"),
    (c) => c.body(deps.metrics.render(), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }),
  );

  const upgrade = async (c: import("hono").Context<GatewayEnv>) => {
    const req = c.req.raw;
    const origin = checkOrigin(c.req.header("origin"), c.req.header("host"), {
      bind: config.gateway.bind,
      allowedOrigins: config.gateway.allowedOrigins,
    });
    if (!origin.ok) {
      deps.logger.warn("ws upgrade refused", { reason: origin.reason, remoteAddr: remoteAddr(c) });
      return c.json({ error: { code: "FORBIDDEN", message: `Forbidden: ${origin.reason}` } }, 403);
    }
    if (sockets.size >= config.gateway.limits.maxConnections) {
      c.header("Retry-After", "5");
      return c.json({
        error: { code: "UNAVAILABLE", message: "Too many connections; try again later", retryable: true },
      }, 503);
    }
    // Unauthenticated sockets are capped per address and in total, and only a few are upgraded at once
    // (see preauth_gate.ts): the rest wait here, before the 101, so they cannot send frames yet.
    const key = addressKey(remoteAddr(c));
    const entry = await preAuth.enter(key);
    if (!entry.ok) {
      deps.logger.warn("ws upgrade refused", { reason: entry.reason, remoteAddr: remoteAddr(c) });
      c.header("Retry-After", "5");
      return c.json({
        error: {
          code: entry.status === 429 ? "RATE_LIMITED" : "UNAVAILABLE",
          message: `Refused: ${entry.reason}; try again later`,
          retryable: true,
        },
      }, entry.status);
    }
    let upgraded: ReturnType<typeof Deno.upgradeWebSocket>;
    try {
      upgraded = Deno.upgradeWebSocket(req, { idleTimeout: 120 });
    } catch (err) {
      entry.ticket.release();
      throw err;
    }
    const { socket, response } = upgraded;
    const conn = attachConnection(socket, remoteAddr(c), deps.connection, {
      // Authenticated, or closed (the pre-auth timeout closes it at the latest): the place is free again.
      onSettled: () => entry.ticket.release(),
      onAbuse: () => preAuth.penalize(key),
    });
    sockets.set(conn.connId, conn);
    const closed = Promise.withResolvers<void>();
    closing.set(conn.connId, closed.promise);
    socket.addEventListener("close", () => {
      sockets.delete(conn.connId);
      closing.delete(conn.connId);
      closed.resolve();
      entry.ticket.release();
    });
    return response;
  };
  const isUpgrade = (c: import("hono").Context<GatewayEnv>) =>
    c.req.header("upgrade")?.toLowerCase() === "websocket";

  app.get(
    "/ws",
    (c) =>
      isUpgrade(c)
        ? upgrade(c)
        : c.json({ error: { code: "INVALID_REQUEST", message: "Expected a WebSocket upgrade" } }, 426),
  );
  app.get("/", async (c, next) => {
    if (isUpgrade(c)) return upgrade(c);
    await next();
  });

  deps.mount?.(app);
  app.get("*", staticFiles(deps.webRoot));
  app.notFound((c) => c.json({ error: { code: "NOT_FOUND", message: `Not found: ${c.req.path}` } }, 404));
  app.onError((err, c) => {
    deps.logger.error(`http ${c.req.method} ${c.req.path} failed: ${err.message}`);
    return c.json({ error: { code: "INTERNAL", message: "Internal error; see the gateway log" } }, 500);
  });

  return {
    app,
    async closeAll(code, reason, waitMs = 1000) {
      const waits = [...closing.values()];
      for (const s of sockets.values()) s.close(code, reason);
      sockets.clear();
      if (!waits.length) return;
      const clock = deps.connection.clock;
      let timer: number | undefined;
      const late = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, waitMs)));
      await Promise.race([Promise.all(waits), late]);
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}
