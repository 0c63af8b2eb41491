/**
 * A small client of the gateway WebSocket protocol, used by the CLI and the tests:
 * waits for the challenge, sends connect, then makes requests and receives events.
 */
import { TalonError } from "../core/errors.ts";
import type { ErrorShape } from "./protocol/frames.ts";

export interface GatewayClientOptions {
  url: string;
  token?: string;
  scopes?: string[];
  client?: { id: string; mode: string; version?: string };
  timeoutMs?: number;
  /** Extra connect params (e.g. a device block). */
  connectParams?: Record<string, unknown>;
  /** Sent as an Origin header (Deno's WebSocket supports headers). */
  origin?: string;
}

export interface GatewayClient {
  hello: Record<string, unknown>;
  request<T = unknown>(
    method: string,
    params?: unknown,
    opts?: { timeoutMs?: number; onAck?: (p: unknown) => void },
  ): Promise<T>;
  onEvent(fn: (event: string, payload: unknown) => void): () => void;
  close(): Promise<void>;
}

/** Error answered by the gateway (`res` with ok:false). */
export class GatewayRequestError extends TalonError {
  override name = "GatewayRequestError";
  constructor(readonly shape: ErrorShape) {
    super(shape.code, shape.message, { details: shape.details, retryAfterMs: shape.retryAfterMs });
  }
}

export async function connectGateway(opts: GatewayClientOptions): Promise<GatewayClient> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ws = opts.origin
    ? new WebSocket(opts.url, { headers: { origin: opts.origin } } as unknown as string[])
    : new WebSocket(opts.url);
  const pending = new Map<
    string,
    { resolve(v: unknown): void; reject(e: unknown): void; onAck?: (p: unknown) => void; acked: boolean }
  >();
  const listeners = new Set<(event: string, payload: unknown) => void>();
  let nextId = 1;
  let closedError: Error | undefined;
  const closed = Promise.withResolvers<void>();

  const challenge = Promise.withResolvers<{ nonce: string; ts: number }>();
  ws.onmessage = (ev) => {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    if (frame.type === "event") {
      if (frame.event === "connect.challenge") {
        challenge.resolve(frame.payload as { nonce: string; ts: number });
      }
      for (const l of listeners) l(String(frame.event), frame.payload);
      return;
    }
    if (frame.type === "res") {
      const p = pending.get(String(frame.id));
      if (!p) return;
      if (!frame.ok) {
        pending.delete(String(frame.id));
        p.reject(new GatewayRequestError(frame.error as ErrorShape));
        return;
      }
      const payload = frame.payload as Record<string, unknown> | undefined;
      if (p.onAck && !p.acked && payload?.status === "accepted") {
        p.acked = true;
        p.onAck(payload);
        return;
      }
      pending.delete(String(frame.id));
      p.resolve(frame.payload);
    }
  };
  ws.onclose = (ev) => {
    closedError = new TalonError(
      "UNAVAILABLE",
      `Connection closed (${ev.code}${ev.reason ? ": " + ev.reason : ""})`,
    );
    for (const p of pending.values()) p.reject(closedError);
    pending.clear();
    challenge.reject(closedError);
    closed.resolve();
  };
  ws.onerror = () => {};

  const request = <T>(
    method: string,
    params?: unknown,
    ropts: { timeoutMs?: number; onAck?: (p: unknown) => void } = {},
  ) => {
    if (closedError) return Promise.reject(closedError);
    const id = `${nextId++}:${crypto.randomUUID()}`;
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new TalonError("TIMEOUT", `No answer to ${method} within ${ropts.timeoutMs ?? timeoutMs} ms`));
    }, ropts.timeoutMs ?? timeoutMs);
    pending.set(id, {
      resolve: (v) => {
        clearTimeout(timer);
        resolve(v as T);
      },
      reject: (e) => {
        clearTimeout(timer);
        reject(e);
      },
      onAck: ropts.onAck,
      acked: false,
    });
    ws.send(JSON.stringify({ type: "req", id, method, ...(params === undefined ? {} : { params }) }));
    return promise;
  };

  const close = async () => {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, "bye");
    await closed.promise;
  };

  const timer = setTimeout(
    () => challenge.reject(new TalonError("TIMEOUT", "No connect.challenge from the gateway")),
    timeoutMs,
  );
  try {
    await challenge.promise;
    clearTimeout(timer);
    const hello = await request<Record<string, unknown>>("connect", {
      minProtocol: 4,
      maxProtocol: 4,
      client: opts.client ?? { id: "talon-cli", mode: "cli" },
      auth: opts.token === undefined ? undefined : { token: opts.token },
      role: "operator",
      ...(opts.scopes ? { scopes: opts.scopes } : {}),
      ...opts.connectParams,
    });
    return {
      hello,
      request,
      onEvent(fn) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      close,
    };
  } catch (err) {
    clearTimeout(timer);
    await close().catch(() => {});
    throw err;
  }
}
