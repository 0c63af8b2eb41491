/**
 * One WebSocket connection: challenge → connect (auth, protocol range) → hello-ok → requests and events.
 * Every frame is size-checked and validated; every refusal is a clear error frame (and a close code when
 * the connection cannot continue).
 */
import type { z } from "zod";
import { talonCommand } from "../core/cli_name.ts";
import type { Clock } from "../core/clock.ts";
import { describeError, TalonError } from "../core/errors.ts";
import type { EventBus } from "../core/event_bus.ts";
import { newId, randomToken } from "../core/ids.ts";
import type { Logger } from "../core/logger.ts";
import type { BusEvent } from "../core/types.ts";
import { VERSION } from "../core/version.ts";
import { type Scope, SCOPES } from "../store/credentials.ts";
import type { Authenticator } from "./auth.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { hasScope, type MethodContext, type MethodRegistry } from "./methods/registry.ts";
import { toErrorShape } from "./protocol/errors.ts";
import {
  type ConnectParams,
  connectParamsSchema,
  type ErrorShape,
  PROTOCOL_VERSION,
  requestFrameSchema,
} from "./protocol/frames.ts";

export interface ConnectionLimits {
  maxFrameBytes: number;
  preAuthTimeoutMs: number;
  maxBufferedBytes: number;
  tickIntervalMs: number;
}

export interface ConnectionDeps {
  registry: MethodRegistry;
  auth: Authenticator;
  bus: EventBus;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: Clock;
  limits: ConnectionLimits;
  /** Events the gateway can emit (for hello-ok features). */
  events: readonly string[];
  /** Snapshot sent in hello-ok. */
  snapshot(): Promise<unknown> | unknown;
  /**
   * Optional verifier of an OpenClaw-style device block (see device.ts); throws TalonError when the block
   * is bad. Called only when the token was right and a block was sent.
   */
  verifyDevice?(
    params: ConnectParams,
    nonce: string,
    token: string | undefined,
    ctx?: { credentialId?: string },
  ): Promise<void>;
  presence: PresenceTracker;
}

export interface PresenceEntry {
  connId: string;
  clientId?: string;
  mode?: string;
  version?: string;
  platform?: string;
  remoteAddr: string;
  connectedAt: number;
}

export interface PresenceTracker {
  add(entry: PresenceEntry): void;
  remove(connId: string): void;
  list(): PresenceEntry[];
}

export function createPresenceTracker(): PresenceTracker {
  const entries = new Map<string, PresenceEntry>();
  return {
    add: (e) => void entries.set(e.connId, e),
    remove: (id) => void entries.delete(id),
    list: () => [...entries.values()],
  };
}

const SIGNIN_REDEEM = "ui.signin.redeem";
const CLOSE = { policy: 1008, tooBig: 1009, protocol: 1002, unsupported: 1003, tryAgain: 1013 } as const;
const encoder = new TextEncoder();

/**
 * Attaches the protocol to an upgraded socket. Returns a function that closes it (for shutdown).
 * `hooks.onSettled` is called when the connection stops being unauthenticated: its connect frame was
 * accepted, or it closed (the pre-auth timeout closes it at the latest). It may be called more than once.
 * `hooks.onAbuse` is called when the connection sent an oversize or binary frame before authenticating.
 */
export function attachConnection(
  socket: WebSocket,
  remoteAddr: string,
  deps: ConnectionDeps,
  hooks: { onSettled?(): void; onAbuse?(): void } = {},
): { connId: string; credentialId(): string; close(code: number, reason: string): void } {
  const connId = newId("conn");
  const nonce = randomToken(24);
  const log = deps.logger.child({ connId, remoteAddr });
  const abort = new AbortController();
  let phase: "challenge" | "authenticating" | "open" | "closed" = "challenge";
  let seq = 0;
  let scopes = new Set<Scope>();
  let client: MethodContext["client"] = {};
  let credentialId = "";
  /** A one-time sign-in code's connection may only redeem it, and is closed after. */
  let signinOnly = false;
  const subs = {
    all: false,
    events: new Set<string>(),
    sessions: new Set<string>(),
    runs: new Set<string>(),
  };
  let unsubscribe: (() => void) | undefined;
  let tickTimer: number | undefined;

  const send = (frame: unknown) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > deps.limits.maxBufferedBytes) {
      close(CLOSE.tryAgain, "slow consumer: too much unsent data");
      return;
    }
    socket.send(JSON.stringify(frame));
    deps.metrics.frameOut();
  };
  const sendEvent = (event: string, payload: unknown) => send({ type: "event", event, payload, seq: ++seq });
  const sendError = (id: string, error: ErrorShape) => send({ type: "res", id, ok: false, error });
  const close = (code: number, reason: string) => {
    if (phase === "closed") return;
    phase = "closed";
    cleanup();
    try {
      socket.close(code, reason.slice(0, 120));
    } catch { /* already closing */ }
  };
  const isClosed = () => phase === "closed";
  const cleanup = () => {
    abort.abort(new TalonError("ABORTED", "connection closed"));
    deps.clock.clearTimeout(preAuthTimer);
    if (tickTimer !== undefined) deps.clock.clearInterval(tickTimer);
    unsubscribe?.();
    deps.presence.remove(connId);
    hooks.onSettled?.();
  };

  const preAuthTimer = deps.clock.setTimeout(() => {
    if (phase === "challenge" || phase === "authenticating") {
      sendEvent("error", { code: "TIMEOUT", message: "No connect frame in time; closing" });
      close(CLOSE.policy, "authentication timeout");
    }
  }, deps.limits.preAuthTimeoutMs);

  socket.onopen = () => {
    deps.metrics.connectionOpened();
    sendEvent("connect.challenge", { nonce, ts: deps.clock.now() });
  };
  socket.onclose = () => {
    deps.metrics.connectionClosed();
    if (phase !== "closed") {
      phase = "closed";
      cleanup();
    }
  };
  socket.onerror = () => {};
  socket.onmessage = (ev) => {
    deps.metrics.frameIn();
    if (phase === "closed") return;
    if (typeof ev.data !== "string") {
      if (phase !== "open") hooks.onAbuse?.();
      sendEvent("error", {
        code: "INVALID_REQUEST",
        message: "Binary frames are not supported; send JSON text",
      });
      close(CLOSE.unsupported, "binary frame");
      return;
    }
    const size = ev.data.length > deps.limits.maxFrameBytes / 3
      ? encoder.encode(ev.data).length
      : ev.data.length;
    if (size > deps.limits.maxFrameBytes) {
      if (phase !== "open") hooks.onAbuse?.();
      sendEvent("error", {
        code: "PAYLOAD_TOO_LARGE",
        message: `Frame of ${size} bytes exceeds the limit of ${deps.limits.maxFrameBytes} bytes`,
      });
      close(CLOSE.tooBig, "frame too large");
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(ev.data);
    } catch {
      sendEvent("error", { code: "INVALID_REQUEST", message: "Malformed frame: not valid JSON" });
      if (phase !== "open") close(CLOSE.policy, "malformed frame");
      return;
    }
    const parsed = requestFrameSchema.safeParse(json);
    if (!parsed.success) {
      const id = typeof (json as { id?: unknown })?.id === "string" ? (json as { id: string }).id : undefined;
      const error = {
        code: "INVALID_REQUEST" as const,
        message: `Invalid frame: ${summarise(parsed.error)}`,
      };
      if (id) sendError(id, error);
      else sendEvent("error", error);
      if (phase !== "open") close(CLOSE.policy, "invalid frame");
      return;
    }
    const frame = parsed.data;
    if (phase === "challenge") {
      if (frame.method !== "connect") {
        sendError(frame.id, { code: "UNAUTHORIZED", message: "The first frame must be a connect request" });
        close(CLOSE.policy, "connect required");
        return;
      }
      phase = "authenticating";
      void handleConnect(frame.id, frame.params);
      return;
    }
    if (phase !== "open") {
      sendError(frame.id, {
        code: "UNAUTHORIZED",
        message: "Wait for the connect response before sending requests",
      });
      return;
    }
    void handleRequest(frame.id, frame.method, frame.params);
  };

  async function handleConnect(id: string, rawParams: unknown) {
    const parsed = connectParamsSchema.safeParse(rawParams ?? {});
    if (!parsed.success) {
      sendError(id, {
        code: "INVALID_REQUEST",
        message: `Invalid connect params: ${summarise(parsed.error)}`,
      });
      close(CLOSE.policy, "invalid connect");
      return;
    }
    const params = parsed.data;
    if (params.minProtocol > PROTOCOL_VERSION || params.maxProtocol < PROTOCOL_VERSION) {
      sendError(id, {
        code: "PROTOCOL_MISMATCH",
        message:
          `Protocol mismatch: client speaks ${params.minProtocol}..${params.maxProtocol}, server speaks ${PROTOCOL_VERSION}`,
        details: { code: "PROTOCOL_MISMATCH", expectedProtocol: PROTOCOL_VERSION },
      });
      close(CLOSE.protocol, "protocol mismatch");
      return;
    }
    const token = params.auth?.token ?? params.auth?.password;
    const result = await deps.auth.authenticate(token, remoteAddr, "ws");
    if (isClosed()) return;
    if (!result.ok) {
      if (result.reason === "rate_limited") {
        sendError(id, {
          code: "RATE_LIMITED",
          message: `Too many failed attempts; retry in ${Math.ceil(result.retryAfterMs! / 1000)} s`,
          retryable: true,
          retryAfterMs: result.retryAfterMs,
          details: { code: "AUTH_RATE_LIMITED" },
        });
      } else if (result.spentSignin) {
        sendError(id, {
          code: "UNAUTHORIZED",
          message: result.spentSignin === "used"
            ? `This link was already used — run \`${talonCommand("dashboard")}\` again`
            : `This link has expired — run \`${talonCommand("dashboard")}\` again`,
          details: { code: result.spentSignin === "used" ? "AUTH_SIGNIN_USED" : "AUTH_SIGNIN_EXPIRED" },
        });
      } else {
        sendError(id, {
          code: "UNAUTHORIZED",
          message: result.reason === "missing"
            ? "Unauthorized: a gateway token is required (connect.params.auth.token)"
            : "Unauthorized: gateway token mismatch",
          details: { code: result.reason === "missing" ? "AUTH_TOKEN_MISSING" : "AUTH_TOKEN_MISMATCH" },
        });
      }
      log.warn("ws auth refused", { reason: result.reason });
      close(CLOSE.policy, "unauthorized");
      return;
    }
    if (params.device && deps.verifyDevice) {
      try {
        await deps.verifyDevice(params, nonce, token, { credentialId: result.credential.id });
      } catch (err) {
        const shape = toErrorShape(err);
        log.warn("ws device refused", { reason: shape.details?.code ?? shape.code });
        sendError(id, shape);
        close(CLOSE.policy, "device verification failed");
        return;
      }
    }
    if (isClosed()) return;
    scopes = grantScopes(result.credential.scopes, params.scopes);
    credentialId = result.credential.id;
    signinOnly = result.credential.kind === "signin";
    client = { id: params.client?.id, mode: params.client?.mode, version: params.client?.version };
    deps.clock.clearTimeout(preAuthTimer);
    phase = "open";
    hooks.onSettled?.();
    deps.presence.add({
      connId,
      clientId: client.id,
      mode: client.mode,
      version: client.version,
      platform: params.client?.platform,
      remoteAddr,
      connectedAt: deps.clock.now(),
    });
    unsubscribe = deps.bus.subscribe(onBusEvent);
    tickTimer = deps.clock.setInterval(
      () => sendEvent("tick", { ts: deps.clock.now() }),
      deps.limits.tickIntervalMs,
    );
    const granted = SCOPES.filter((s) => scopes.has(s));
    send({
      type: "res",
      id,
      ok: true,
      payload: {
        type: "hello-ok",
        protocol: PROTOCOL_VERSION,
        server: { name: "talon", version: VERSION, connId },
        features: { methods: deps.registry.names(), events: deps.events },
        snapshot: await Promise.resolve(deps.snapshot()).catch(() => ({})),
        auth: { role: params.role ?? "operator", scopes: granted, credential: result.credential.name },
        policy: {
          maxPayload: deps.limits.maxFrameBytes,
          maxBufferedBytes: deps.limits.maxBufferedBytes,
          tickIntervalMs: deps.limits.tickIntervalMs,
        },
      },
    });
    log.info("ws connected", {
      client: client.id,
      mode: client.mode,
      scopes: granted,
      ...(params.device
        ? { device: params.device.id.slice(0, 16), deviceVerified: !!deps.verifyDevice }
        : {}),
    });
  }

  function onBusEvent(e: BusEvent) {
    const wanted = subs.all || subs.events.has(e.event) ||
      (e.sessionKey !== undefined && subs.sessions.has(e.sessionKey)) ||
      (e.runId !== undefined && subs.runs.has(e.runId));
    if (wanted) sendEvent(e.event, e.payload);
  }

  async function handleRequest(id: string, method: string, rawParams: unknown) {
    const started = performance.now();
    const def = deps.registry.get(method);
    const finish = (status: string) => deps.metrics.request(def ? method : "(unknown)", status);
    if (!def) {
      sendError(id, { code: "METHOD_NOT_FOUND", message: `Unknown method "${method}"` });
      return finish("METHOD_NOT_FOUND");
    }
    if (signinOnly && method !== SIGNIN_REDEEM) {
      sendError(id, {
        code: "FORBIDDEN",
        message:
          `A one-time sign-in code can only be redeemed (${SIGNIN_REDEEM}); reconnect with the session token`,
      });
      return finish("FORBIDDEN");
    }
    if (!hasScope(scopes, def.scope)) {
      sendError(id, { code: "FORBIDDEN", message: `Method "${method}" requires the ${def.scope} scope` });
      return finish("FORBIDDEN");
    }
    const params = def.params.safeParse(rawParams ?? {});
    if (!params.success) {
      sendError(id, {
        code: "INVALID_REQUEST",
        message: `Invalid params for ${method}: ${summarise(params.error)}`,
      });
      return finish("INVALID_REQUEST");
    }
    const ctx: MethodContext = {
      connId,
      credentialId,
      scopes,
      client,
      remoteAddr,
      signal: abort.signal,
      emit: sendEvent,
      ack: (payload) => send({ type: "res", id, ok: true, payload }),
      subscribeSession: (key) => addCapped(subs.sessions, key),
      subscribe(filter) {
        if (filter.all !== undefined) subs.all = filter.all;
        for (const e of filter.events ?? []) addCapped(subs.events, e);
        for (const k of filter.sessionKeys ?? []) addCapped(subs.sessions, k);
        for (const r of filter.runIds ?? []) addCapped(subs.runs, r);
        return {
          all: subs.all,
          events: [...subs.events],
          sessionKeys: [...subs.sessions],
          runIds: [...subs.runs],
        };
      },
      unsubscribe(filter) {
        if (filter.all) subs.all = false;
        for (const e of filter.events ?? []) subs.events.delete(e);
        for (const k of filter.sessionKeys ?? []) subs.sessions.delete(k);
        for (const r of filter.runIds ?? []) subs.runs.delete(r);
      },
    };
    try {
      const payload = await def.handler(params.data, ctx);
      send({ type: "res", id, ok: true, payload: payload ?? {} });
      finish("ok");
    } catch (err) {
      const shape = toErrorShape(err);
      if (shape.code === "INTERNAL") log.error(`method ${method} failed: ${describeError(err)}`);
      sendError(id, shape);
      finish(shape.code);
    } finally {
      log.debug("ws request", { method, ms: Math.round(performance.now() - started) });
      if (signinOnly) close(1000, "sign-in code used; reconnect with the session token");
    }
  }

  return { connId, credentialId: () => credentialId, close };
}

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

/**
 * The scopes a connection gets: the credential's own, capped by the highest scope the client asked for.
 * OpenClaw's `operator.read|write|admin` map onto read|write|admin; unknown names are ignored.
 */
export function grantScopes(
  credential: readonly Scope[],
  requested: readonly string[] | undefined,
): Set<Scope> {
  const credMax = Math.max(0, ...credential.map((s) => RANK[s] ?? 0));
  let max = credMax;
  if (requested && requested.length > 0) {
    const asked = requested.map((s) => RANK[s.replace(/^operator\./, "") as Scope] ?? 0);
    const askedMax = Math.max(0, ...asked);
    // A client asking only for scopes we don't know (e.g. operator.approvals) gets the read floor.
    max = Math.min(credMax, askedMax || Math.min(credMax, RANK.read));
  }
  return new Set(SCOPES.filter((s) => RANK[s] <= max));
}

function summarise(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(frame)"}: ${i.message}`).join("; ");
}

/**
 * Most names of one kind (events, session keys, run ids) a connection stays subscribed to. A web chat
 * subscribes to every session it sends to; without a cap a long-lived connection would keep every one.
 */
export const MAX_SUBSCRIPTIONS = 256;

/** Adds `key` as the newest entry; past the cap the oldest subscription goes. */
function addCapped(set: Set<string>, key: string): void {
  set.delete(key);
  set.add(key);
  if (set.size > MAX_SUBSCRIPTIONS) set.delete(set.values().next().value!);
}
