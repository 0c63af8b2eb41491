/** Starts a real gateway in-process on 127.0.0.1:0 with a temporary TALON_HOME. */
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, startGateway } from "../../src/app/gateway_runtime.ts";
import { connectGateway, type GatewayClient, type GatewayClientOptions } from "../../src/gateway/client.ts";

export interface TestGateway extends RunningGateway {
  home: string;
  wsUrl: string;
  connect(opts?: Partial<GatewayClientOptions>): Promise<GatewayClient>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startTestGateway(config: Record<string, unknown> = {}): Promise<TestGateway> {
  const home = await Deno.makeTempDir({ prefix: "talon-gw-" });
  const file = {
    ...config,
    gateway: { port: 0, ...(config.gateway as object ?? {}) },
    logging: { console: false, ...(config.logging as object ?? {}) },
  };
  await Deno.writeTextFile(`${home}/talon.json`, JSON.stringify(file));
  const env = { HOME: home, TALON_HOME: home };
  const loaded = await loadConfig({ env });
  const gw = await startGateway({ loaded, env, print: () => {} });
  const wsUrl = gw.url.replace(/^http/, "ws") + "/ws";
  return {
    ...gw,
    home,
    wsUrl,
    connect: (opts = {}) => connectGateway({ url: wsUrl, token: gw.token.token, timeoutMs: 5000, ...opts }),
    async [Symbol.asyncDispose]() {
      await gw.shutdown();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
}

/** Opens a raw WebSocket and collects frames, for protocol-level tests. */
export async function rawSocket(url: string, headers?: Record<string, string>): Promise<{
  ws: WebSocket;
  next(): Promise<Record<string, unknown>>;
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
    ws.onopen = () => resolve();
    ws.addEventListener("close", () => reject(new Error("closed before open")));
  });
  return {
    ws,
    next: () => {
      const f = queue.shift();
      if (f) return Promise.resolve(f);
      return new Promise((resolve, reject) => {
        waiters.push(resolve);
        closed.promise.then(() => reject(new Error("socket closed")));
      });
    },
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    closed: closed.promise,
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
