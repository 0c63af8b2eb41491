/**
 * Starts a real gateway in-process on 127.0.0.1:0 with a temporary TALON_HOME. With `restartable` it runs
 * under the supervisor, as `talon gateway` does, so `gateway.restart` works.
 */
import { loadConfig, type LoadedConfig } from "../../src/config/load.ts";
import { superviseGateway } from "../../src/app/gateway_supervisor.ts";
import type { Scope } from "../../src/store/credentials.ts";
import { type RunningGateway, startGateway } from "../../src/app/gateway_runtime.ts";
import { connectGateway, type GatewayClient, type GatewayClientOptions } from "../../src/gateway/client.ts";

export { eventually } from "./wait.ts";

export interface TestGateway extends RunningGateway {
  home: string;
  wsUrl: string;
  connect(opts?: Partial<GatewayClientOptions>): Promise<GatewayClient>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startTestGateway(
  config: Record<string, unknown> = {},
  opts: { restartable?: boolean } = {},
): Promise<TestGateway> {
  const home = await Deno.makeTempDir({ prefix: "talon-gw-" });
  const file = {
    ...config,
    gateway: { port: 0, ...(config.gateway as object ?? {}) },
    logging: { console: false, ...(config.logging as object ?? {}) },
  };
  await Deno.writeTextFile(`${home}/talon.json`, JSON.stringify(file));
  const env = { HOME: home, TALON_HOME: home };
  const loaded = await loadConfig({ env });
  if (opts.restartable) return restartable(home, env, loaded);
  const gw = await startGateway({ loaded, env, print: () => {} });
  const wsUrl = gw.url.replace(/^http/, "ws") + "/ws";
  return {
    ...gw,
    home,
    wsUrl,
    // Every request has a deadline; generous, so a loaded machine is slow but not failing.
    connect: (opts = {}) => connectGateway({ url: wsUrl, token: gw.token.token, timeoutMs: 30_000, ...opts }),
    async [Symbol.asyncDispose]() {
      await gw.shutdown();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
}

/** A test gateway under the supervisor (`gateway.restart` works); its fields follow the running one. */
async function restartable(
  home: string,
  env: Record<string, string>,
  loaded: LoadedConfig,
): Promise<TestGateway> {
  const sup = await superviseGateway({ loaded, load: () => loadConfig({ env }), env, print: () => {} });
  const wsUrl = () => sup.current.url.replace(/^http/, "ws") + "/ws";
  const live = ["url", "port", "hostname", "token", "store", "logger", "bus", "registry", "auth"] as const;
  const gw = {
    get finished() {
      return sup.finished;
    },
    get wsUrl() {
      return wsUrl();
    },
    shutdown: (reason?: string) => sup.shutdown(reason),
    home,
    connect: (opts: Partial<GatewayClientOptions> = {}) =>
      connectGateway({ url: wsUrl(), token: sup.current.token.token, timeoutMs: 30_000, ...opts }),
    async [Symbol.asyncDispose]() {
      await sup.shutdown();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
  // The running gateway's parts, read through: a restart replaces them.
  for (const k of live) Object.defineProperty(gw, k, { get: () => sup.current[k], enumerable: true });
  return gw as TestGateway;
}

/**
 * Stores a credential with `scopes` (e.g. a read/write API token, principal `api`), makes the gateway
 * know it and returns its token, for tests where the wrong principal tries.
 */
export async function addToken(gw: TestGateway, scopes: Scope[], name = "app"): Promise<string> {
  const token = `${name}-token-${crypto.randomUUID()}`;
  await gw.store.credentials.put({ name, kind: "operator", scopes, token });
  await gw.auth.reload();
  return token;
}

/**
 * Opens a raw WebSocket and collects frames, for protocol-level tests. `next()` fails with a message after
 * `timeoutMs` (default 15 s) instead of waiting forever, e.g. when a broken auth check never answers.
 */
export async function rawSocket(url: string, headers?: Record<string, string>): Promise<{
  ws: WebSocket;
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  send(frame: unknown): void;
  closed: Promise<CloseEvent>;
}> {
  const ws = headers ? new WebSocket(url, { headers } as unknown as string[]) : new WebSocket(url);
  const queue: Record<string, unknown>[] = [];
  const waiters: ((f: Record<string, unknown>) => void)[] = [];
  const closed = Promise.withResolvers<CloseEvent>();
  ws.onmessage = (ev) => {
    const frame = JSON.parse(String(ev.data));
    const w = waiters.shift();
    if (w) w(frame);
    else queue.push(frame);
  };
  ws.onclose = (ev) => closed.resolve(ev);
  ws.onerror = () => {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${url} did not open within 15000 ms`)), 15_000);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
    ws.addEventListener("close", () => {
      clearTimeout(timer);
      reject(new Error("closed before open"));
    });
  });
  return {
    ws,
    next: (timeoutMs = 15_000) => {
      const f = queue.shift();
      if (f) return Promise.resolve(f);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no frame from ${url} within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (frame: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(frame);
        };
        waiters.push(waiter);
        closed.promise.then(() => {
          clearTimeout(timer);
          reject(new Error("socket closed"));
        });
      });
    },
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    // Awaited only where a close is expected: it fails with a message instead of hanging.
    get closed() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${url} was not closed within 15000 ms`)), 15_000);
      });
      return Promise.race([closed.promise, late]).finally(() => clearTimeout(timer));
    },
  };
}

export function connectFrame(token: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    type: "req",
    id: "c1",
    method: "connect",
    params: {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: "test", mode: "cli" },
      ...(token === undefined ? {} : { auth: { token } }),
      ...extra,
    },
  };
}
