/**
 * The Control UI's WebSocket client: challenge → connect → hello-ok, then requests and events.
 * It reconnects by itself with backoff, re-sends its event subscriptions after every hello, and tells
 * listeners (`onHello`) so pages can re-fetch what they show — a run in flight is not lost.
 * Runs in the browser and in Deno (tests) alike: it uses only WebSocket and timers.
 */
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.ts";

export type ClientStatus = "connecting" | "open" | "reconnecting" | "refused" | "closed";

export interface Hello {
  protocol: number;
  server: { name?: string; version?: string; connId?: string };
  features: { methods: string[]; events: string[] };
  snapshot: Record<string, unknown>;
  auth?: { role?: string; scopes?: string[]; credential?: string };
}

export interface Filter {
  all?: boolean;
  events?: string[];
  sessionKeys?: string[];
  runIds?: string[];
}

/** A refused request: `code` is one of the gateway's error codes. */
export class GatewayRequestError extends Error {
  override name = "GatewayRequestError";
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = false,
    /** How long the gateway asks to wait (RATE_LIMITED). */
    readonly retryAfterMs?: number,
    /** The finer reason in `error.details.code`, e.g. AUTH_SIGNIN_USED. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  url: string;
  token: string;
  clientId?: string;
  backoff?: BackoffOptions;
  /** Per-request timeout (ms). */
  requestTimeoutMs?: number;
  WebSocketImpl?: typeof WebSocket;
  random?: () => number;
}

export interface UiClient {
  readonly status: ClientStatus;
  readonly hello: Hello | undefined;
  /** Why the gateway refused the connection (status "refused"). */
  readonly refusal: GatewayRequestError | undefined;
  /** True when the gateway announced the method in hello-ok. */
  has(method: string): boolean;
  request<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** Adds filters; they are re-sent after every reconnect. */
  subscribe(filter: Filter): Promise<void>;
  on(event: string, fn: (payload: unknown) => void): () => void;
  onStatus(fn: (status: ClientStatus) => void): () => void;
  onHello(fn: (hello: Hello) => void): () => void;
  /** Called with the close code whenever the socket closes (1012: the gateway is restarting). */
  onClose(fn: (code: number) => void): () => void;
  /** Closes for good (sign out). */
  close(): void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Creates a client and starts connecting. */
export function createUiClient(opts: ClientOptions): UiClient {
  const WS = opts.WebSocketImpl ?? WebSocket;
  const timeoutMs = opts.requestTimeoutMs ?? 20_000;
  let status: ClientStatus = "connecting";
  let hello: Hello | undefined;
  let refusal: GatewayRequestError | undefined;
  let socket: WebSocket | undefined;
  let attempt = 0;
  let nextId = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Map<string, Pending>();
  const waitingOpen: (() => void)[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const statusFns = new Set<(s: ClientStatus) => void>();
  const helloFns = new Set<(h: Hello) => void>();
  const closeFns = new Set<(code: number) => void>();
  const subs = {
    all: false,
    events: new Set<string>(),
    sessionKeys: new Set<string>(),
    runIds: new Set<string>(),
  };

  const setStatus = (s: ClientStatus) => {
    if (status === s) return;
    status = s;
    for (const fn of statusFns) fn(s);
  };

  const failPending = (err: GatewayRequestError) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(err);
    }
  };

  const sendRaw = (id: string, method: string, params: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new GatewayRequestError("TIMEOUT", `${method}: no answer in ${timeoutMs} ms`, true));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      socket!.send(JSON.stringify({ type: "req", id, method, params }));
    });

  const filterNow = (): Filter => ({
    ...(subs.all ? { all: true } : {}),
    events: [...subs.events],
    sessionKeys: [...subs.sessionKeys],
    runIds: [...subs.runIds],
  });

  const connect = () => {
    retryTimer = undefined;
    setStatus(attempt === 0 && !hello ? "connecting" : "reconnecting");
    const ws = new WS(opts.url);
    socket = ws;
    let helloDone = false;
    ws.onmessage = (ev) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (frame.type === "event") {
        const name = String(frame.event);
        if (name === "connect.challenge" && !helloDone) {
          void handshake(ws).then(() => (helloDone = true));
          return;
        }
        for (const fn of listeners.get(name) ?? []) fn(frame.payload);
        return;
      }
      if (frame.type === "res") {
        const p = pending.get(String(frame.id));
        if (!p) return;
        pending.delete(String(frame.id));
        clearTimeout(p.timer);
        if (frame.ok) p.resolve(frame.payload);
        else {
          const e = (frame.error ?? {}) as {
            code?: string;
            message?: string;
            retryable?: boolean;
            retryAfterMs?: number;
            details?: { code?: unknown };
          };
          p.reject(
            new GatewayRequestError(
              e.code ?? "INTERNAL",
              e.message ?? "request failed",
              !!e.retryable,
              typeof e.retryAfterMs === "number" ? e.retryAfterMs : undefined,
              typeof e.details?.code === "string" ? e.details.code : undefined,
            ),
          );
        }
      }
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = undefined;
      for (const fn of closeFns) fn(ev.code);
      failPending(new GatewayRequestError("UNAVAILABLE", "connection lost; reconnecting", true));
      if (status === "closed" || status === "refused") return;
      scheduleReconnect();
    };
    ws.onerror = () => {};
  };

  const scheduleReconnect = (minMs = 0) => {
    setStatus("reconnecting");
    const delay = Math.max(minMs, backoffDelay(attempt, opts.backoff ?? DEFAULT_BACKOFF, opts.random));
    attempt++;
    retryTimer = setTimeout(connect, delay);
  };

  const handshake = async (ws: WebSocket) => {
    try {
      const payload = await sendRaw(`c${++nextId}`, "connect", {
        minProtocol: 4,
        maxProtocol: 4,
        client: { id: opts.clientId ?? "talon-control-ui", mode: "ui", platform: "web" },
        auth: { token: opts.token },
      }) as Hello;
      if (socket !== ws) return;
      hello = payload;
      refusal = undefined;
      attempt = 0;
      setStatus("open");
      const f = filterNow();
      if (f.all || f.events!.length || f.sessionKeys!.length || f.runIds!.length) {
        await sendRaw(`s${++nextId}`, "events.subscribe", f).catch(() => {});
      }
      for (const w of waitingOpen.splice(0)) w();
      for (const fn of helloFns) fn(payload);
    } catch (err) {
      const e = err instanceof GatewayRequestError ? err : new GatewayRequestError("INTERNAL", String(err));
      // Locked out before ever signing in: say so (the sign-in page counts down) instead of retrying.
      const lockedOut = e.code === "RATE_LIMITED" && !hello;
      if (!lockedOut && (e.code === "RATE_LIMITED" || e.code === "UNAVAILABLE" || e.code === "TIMEOUT")) {
        if (socket === ws) {
          socket = undefined;
          ws.onclose = null;
          ws.close();
          scheduleReconnect(e.code === "RATE_LIMITED" ? 5_000 : 0);
        }
        return;
      }
      refusal = e;
      setStatus("refused");
      for (const w of waitingOpen.splice(0)) w();
      ws.close();
    }
  };

  const whenOpen = () =>
    status === "open" ? Promise.resolve() : new Promise<void>((resolve) => waitingOpen.push(resolve));

  connect();

  const client: UiClient = {
    get status() {
      return status;
    },
    get hello() {
      return hello;
    },
    get refusal() {
      return refusal;
    },
    has: (method) => hello?.features.methods.includes(method) ?? false,
    async request<T>(method: string, params: unknown = {}) {
      await whenOpen();
      if (status !== "open" || !socket) {
        throw new GatewayRequestError("UNAVAILABLE", `not connected (${status})`, status !== "closed");
      }
      return await sendRaw(`r${++nextId}`, method, params) as T;
    },
    async subscribe(filter) {
      if (filter.all) subs.all = true;
      for (const e of filter.events ?? []) subs.events.add(e);
      for (const k of filter.sessionKeys ?? []) subs.sessionKeys.add(k);
      for (const r of filter.runIds ?? []) subs.runIds.add(r);
      if (status === "open") await client.request("events.subscribe", filter).catch(() => {});
    },
    on(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, set = new Set());
      set.add(fn);
      return () => set!.delete(fn);
    },
    onStatus(fn) {
      statusFns.add(fn);
      return () => statusFns.delete(fn);
    },
    onHello(fn) {
      helloFns.add(fn);
      return () => helloFns.delete(fn);
    },
    onClose(fn) {
      closeFns.add(fn);
      return () => closeFns.delete(fn);
    },
    close() {
      setStatus("closed");
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      failPending(new GatewayRequestError("ABORTED", "client closed"));
      for (const w of waitingOpen.splice(0)) w();
      const ws = socket;
      socket = undefined;
      ws?.close();
    },
  };
  return client;
}
